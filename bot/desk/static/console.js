(function () {
  "use strict";
  var token = sessionStorage.getItem("balagh.agent");
  var role = sessionStorage.getItem("balagh.role");
  var current = null;
  // The queue's tabs: waiting (oldest first), the agent's own, every open chat (supervisors).
  var me = null, items = [], tab = role === "supervisor" ? "all" : "waiting";
  var choicesShown = false, searchTimer = null, lastQuery = null;
  var canned = [], cannedShown = [], cannedActive = -1;  // the open chat's filled replies
  function $(id) { return document.getElementById(id); }
  function api(method, path, body) {
    return fetch(path, { method: method, headers: { "Content-Type": "application/json",
      "Authorization": "Bearer " + token }, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { if (r.status === 401) { signOut(); } return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }
  var NO_SUCH_CHAT = "المحادثة غير موجودة.";
  var TAKE_FAILURES = { 409: "استلم هذه المحادثة موظف آخر أو انتهت.", 404: NO_SUCH_CHAT };
  var REASSIGN_FAILURES = { 400: "لا يوجد موظف نشط بهذا الاسم.", 403: "إعادة الإسناد للمشرفين فقط.", 404: NO_SUCH_CHAT };
  var STATUS_FAILURES = { 403: "لا يمكن تغيير حالة هذا البلاغ: ليس بلاغ المحادثة التي تتولاها.", 404: "البلاغ غير موجود.", 409: "لا يسمح مسار البلاغ بهذا التغيير." };
  var REPLY_FAILURES = { 409: "المحادثة لم تعد لديك.", 404: NO_SUCH_CHAT, 502: "تعذّر إيصاله إلى قناة المستفيد، أعد المحاولة." };
  var NOTE_FAILURES = { 400: "اكتب نص الملاحظة (2000 حرف على الأكثر).", 403: "الملاحظات لمن يتولى المحادثة وللمشرفين.", 404: NO_SUCH_CHAT, 409: "انتهت هذه المحادثة." };
  var TRANSFER_FAILURES = { 400: "اختر موظفاً نشطاً غيرك، والملاحظة 2000 حرف على الأكثر.", 404: NO_SUCH_CHAT, 409: "المحادثة لم تعد لديك." };
  var CONTEXT_FAILURES = { 403: "السياق لمن يتولى المحادثة وللمشرفين.", 404: NO_SUCH_CHAT };
  var SEARCH_HELP = "البحث برقم البلاغ كاملاً (9 أرقام) أو بالجوال مقنّعاً (مثل 0555****67) أو آخر رقمين منه.";
  // The chat's controls work only on an open chat: until the take is confirmed they are
  // disabled, so a reply typed too early is never silently dropped.
  function openChat(h, text) {
    stoppedTyping(); current = h; $("chat-info").textContent = text; $("chat-controls").disabled = false;
    $("context-refresh").disabled = false; $("desk-status").textContent = "";
    loadCanned(); loadContext(); refresh();
  }
  function closeChat() {
    stoppedTyping(); current = null; $("chat-controls").disabled = true; $("chat-info").textContent = "اختر محادثة من القائمة.";
    $("transcript").textContent = ""; $("revealed").textContent = ""; $("reply-error").textContent = "";
    $("notes").textContent = ""; $("note-error").textContent = ""; $("transfer-error").textContent = "";
    $("context-body").textContent = ""; $("context-error").textContent = ""; $("context-refresh").disabled = true;
    $("canned-missing").textContent = ""; canned = []; closeCanned(); refresh();
  }
  function signOut() {
    sessionStorage.removeItem("balagh.agent"); token = null; $("desk").hidden = true; $("login").hidden = false;
    closeLive(); stopPolling(); $("live").hidden = true; waitingCount = null; showTitle();
  }
  // The desk names every code in Arabic (`labels`, from the bot's own tables): the console
  // shows those names only, never a code; the masked id without its channel's prefix.
  function describe(h) {
    var l = h.labels || {};
    var answers = (l.answers || []).map(function (a) { return a.field + ": " + a.value; }).join("، ");
    var who = String(h.conversation || "").replace(/^[a-z][a-z0-9_-]*:/, "");
    return (l.channel || "") + " · " + who + " · " + (l.reason || "") + " · " + (l.status || "")
      + " · " + waited(h.waiting_seconds) + " · " + (l.wanted || "")
      + (answers ? " (" + answers + ")" : "") + (l.report_number ? " · بلاغ " + l.report_number : "")
      + (h.agent ? " · لدى " + h.agent : "");
  }
  // The wait in minutes, the noun agreeing with its number (as `bot.rules.arabic.counted`).
  function waited(seconds) {
    var m = Math.floor((seconds || 0) / 60), tail = m % 100;
    if (m < 1) return "منذ أقل من دقيقة";
    if (m === 1) return "منذ دقيقة واحدة";
    if (m === 2) return "منذ دقيقتين";
    return "منذ " + m + (tail >= 3 && tail <= 10 ? " دقائق" : " دقيقة");
  }
  // Unread messages, the noun agreeing with its number (1, 2, 3–10 plural, 11 and above singular).
  function unreadText(n) {
    var tail = n % 100;
    if (n === 1) return "رسالة جديدة واحدة";
    if (n === 2) return "رسالتان جديدتان";
    return n + (tail >= 3 && tail <= 10 ? " رسائل جديدة" : " رسالة جديدة");
  }
  function inTab(name) {
    var shown = items.filter(function (h) {
      if (name === "waiting") return h.status === "waiting";
      if (name === "mine") return h.status === "active" && h.agent === me;
      return true;
    });
    return shown.sort(function (a, b) { return b.waiting_seconds - a.waiting_seconds; }); // oldest first
  }
  function selectTab(name) {
    tab = name;
    Array.prototype.forEach.call(document.querySelectorAll("#tabs [role=tab]"), function (t) {
      var on = t.getAttribute("data-tab") === name;
      t.setAttribute("aria-selected", on ? "true" : "false"); t.tabIndex = on ? 0 : -1;
    });
    $("queue-panel").setAttribute("aria-labelledby", "tab-" + name);
    renderQueue();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#tabs [role=tab]"), function (t) {
    t.addEventListener("click", function () { selectTab(t.getAttribute("data-tab")); });
    t.addEventListener("keydown", function (e) {  // arrows move between the tabs
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      var tabs = Array.prototype.filter.call(document.querySelectorAll("#tabs [role=tab]"), function (x) { return !x.hidden; });
      var step = e.key === "ArrowLeft" ? 1 : -1, next = tabs[(tabs.indexOf(t) + step + tabs.length) % tabs.length];  // right-to-left
      selectTab(next.getAttribute("data-tab")); next.focus(); e.preventDefault();
    });
  });
  // The filters' choices come with the queue (codes sent back, Arabic names shown).
  function showChoices(choices) {
    if (choicesShown || !choices) return;
    [["channel", "filter-channel"], ["reason", "filter-reason"]].forEach(function (pair) {
      (choices[pair[0]] || []).forEach(function (c) {
        var option = el("option", null, c.label); option.value = c.value; $(pair[1]).appendChild(option);
      });
    });
    choicesShown = true;
  }
  function queuePath() {
    var query = [];
    if ($("filter-channel").value) query.push("channel=" + encodeURIComponent($("filter-channel").value));
    if ($("filter-reason").value) query.push("reason=" + encodeURIComponent($("filter-reason").value));
    var q = $("search").value.trim();
    if (q) query.push("q=" + encodeURIComponent(q));
    return "/api/handoffs" + (query.length ? "?" + query.join("&") : "");
  }
  function takeOrOpen(h, text) {
    (h.status === "waiting" ? api("POST", "/api/handoffs/" + h.id + "/take") : Promise.resolve({ ok: true }))
      .then(function (res) {
        // A failed take says so beside the queue: an open chat, if any, stays as it was.
        $("queue-error").textContent = res.ok ? "" : (TAKE_FAILURES[res.status] || res.body.error);
        if (res.ok) { if (tab === "waiting") { selectTab("mine"); } openChat(h, text); } else { refresh(); }
      });
  }
  function renderQueue() {
    ["waiting", "mine", "all"].forEach(function (name) {
      $("tab-" + name).querySelector(".count").textContent = "(" + inTab(name).length + ")";
    });
    // The list is drawn again at each refresh: a button that had the focus keeps it.
    var focused = document.activeElement, refocus = null;
    if (focused && focused.tagName === "BUTTON" && focused.closest("#queue li")) {
      refocus = { id: focused.closest("li").getAttribute("data-handoff"), label: focused.textContent };
    }
    var shown = inTab(tab), list = $("queue"); list.textContent = "";
    $("queue-empty").hidden = shown.length > 0;
    shown.forEach(function (h) {
      // Actions go by the hand-off's id; the conversation id comes masked (it holds a phone number).
      var li = document.createElement("li"); li.setAttribute("data-handoff", String(h.id));
      var text = describe(h);
      li.appendChild(el("span", "entry-text", text));
      if (h.unread > 0) li.appendChild(el("span", "unread", unreadText(h.unread)));
      if (h.transfer) {
        li.appendChild(el("p", "transfer-note", "محوّلة من " + h.transfer.from + (h.transfer.note ? ": " + h.transfer.note : "")));
      }
      // The open chat's header follows the queue (taken: its status says so).
      if (current && current.id === h.id) { current = h; $("chat-info").textContent = text; }
      var open = el("button", null, h.status === "waiting" ? "استلام" : "فتح"); open.type = "button";
      open.addEventListener("click", function () { takeOrOpen(h, text); });
      li.appendChild(open);
      if (role === "supervisor") {
        var move = el("button", "secondary", "إعادة إسناد"); move.type = "button";
        move.addEventListener("click", function () {
          var to = window.prompt("اسم مستخدم الموظف الجديد");
          if (to) api("POST", "/api/handoffs/" + h.id + "/reassign", { to: to }).then(function (res) {
            $("queue-error").textContent = res.ok ? "" : (REASSIGN_FAILURES[res.status] || res.body.error);
            refresh();
          });
        });
        li.appendChild(move);
      }
      list.appendChild(li);
    });
    if (refocus) {
      Array.prototype.forEach.call(list.querySelectorAll("li[data-handoff='" + refocus.id + "'] button"), function (b) {
        if (b.textContent === refocus.label) b.focus();
      });
    }
  }
  function renderTranscript(data) {
    var box = $("transcript"); box.textContent = "";
    (data.messages || []).forEach(function (m) {
      box.appendChild(el("div", "msg from-" + m.from, m.text));
    });
    box.scrollTop = box.scrollHeight;
  }
  // Internal notes and transfer notes: for agents only, never sent to the citizen.
  function noteLine(n) {
    var l = n.labels || {};
    var head = n.kind === "transfer" ? "تحويل من " + n.author + " إلى " + n.to : (l.kind || "ملاحظة داخلية") + " · " + n.author;
    return head + " · " + (l.created_at || "") + (n.text ? ": " + n.text : "");
  }
  function renderNotes(data) {
    var list = $("notes"); list.textContent = "";
    (data.notes || []).forEach(function (n) { list.appendChild(el("li", "note note-" + n.kind, noteLine(n))); });
  }
  function refreshQueue() {
    if (!token) return;
    var path = queuePath();
    api("GET", path).then(function (res) {
      if (res.ok) {
        me = res.body.me; items = res.body.handoffs || []; showChoices(res.body.choices);
        if (lastQuery !== path) { $("queue-error").textContent = ""; lastQuery = path; }
        if (path === "/api/handoffs") setWaiting(items.filter(function (h) { return h.status === "waiting"; }).length);
        renderQueue();
      } else if (res.status === 400) {
        $("queue-error").textContent = SEARCH_HELP;
      }
    });
  }
  function loadTranscript() {  // each read audited: on opening, on a push, or polled without one
    if (!token || !current) return Promise.resolve();
    var id = current.id;
    return api("GET", "/api/handoffs/" + id + "/transcript").then(function (res) { if (res.ok && current && current.id === id) renderTranscript(res.body); });
  }
  function loadNotes() {
    if (!token || !current) return;
    var id = current.id;
    api("GET", "/api/handoffs/" + id + "/notes").then(function (res) { if (res.ok && current && current.id === id) renderNotes(res.body); });
  }
  function refresh() { refreshQueue(); loadTranscript(); loadNotes(); }
  ["filter-channel", "filter-reason"].forEach(function (id) { $(id).addEventListener("change", refresh); });
  $("search").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(refresh, 250); });
  $("search").addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); refresh(); } });
  // --- the citizen's context (each read audited: fetched on opening and on request) --------
  function loadContext() {
    if (!current) return;
    var id = current.id;
    api("GET", "/api/handoffs/" + id + "/context").then(function (res) {
      if (!current || current.id !== id) return;
      $("context-error").textContent = res.ok ? "" : (CONTEXT_FAILURES[res.status] || res.body.error);
      if (res.ok) renderContext(res.body);
    });
  }
  function renderContext(data) {
    var box = $("context-body"); box.textContent = "";
    if (!(data.reports || []).length) {
      box.appendChild(el("h3", null, "بلاغاته")); box.appendChild(el("p", "muted", "لا توجد بلاغات معروفة لهذا المستفيد."));
    } else {
      var table = el("table", "context-reports"), head = el("tr");
      table.appendChild(el("caption", null, "بلاغاته"));
      ["رقم البلاغ", "النوع", "الحالة", "موعد الرد", "كيف عُرف"].forEach(function (t) {
        var th = el("th", null, t); th.scope = "col"; head.appendChild(th);
      });
      var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
      var body = el("tbody");
      data.reports.forEach(function (r) {
        var row = el("tr"); row.setAttribute("data-report", r.number);
        [r.number, r.labels.type, r.labels.status, r.labels.due_on, r.labels.found_by].forEach(function (t) { row.appendChild(el("td", null, t)); });
        body.appendChild(row);
      });
      table.appendChild(body); box.appendChild(table);
    }
    box.appendChild(el("h3", null, "محادثاته السابقة مع الموظفين"));
    if (!(data.handoffs || []).length) { box.appendChild(el("p", "muted", "لا توجد محادثات سابقة.")); return; }
    var list = el("ul", "context-handoffs");
    data.handoffs.forEach(function (h) {
      var l = h.labels || {}, li = el("li");
      li.appendChild(el("span", null, (l.created_on || "") + " · " + (l.channel || "") + " · " + (l.reason || "")
        + " · " + (l.status || "") + (h.agent ? " · " + h.agent : "")));
      if ((h.notes || []).length) {
        var notes = el("ul", "context-notes");
        h.notes.forEach(function (n) { notes.appendChild(el("li", "note", noteLine(n))); });
        li.appendChild(notes);
      }
      list.appendChild(li);
    });
    box.appendChild(list);
  }
  $("context-refresh").addEventListener("click", loadContext);
  // --- canned replies: «/» in the reply box opens the list; arrows, Enter, Escape --------
  function loadCanned() {
    if (!current) return;
    var id = current.id;
    api("GET", "/api/handoffs/" + id + "/canned-replies").then(function (res) {
      if (res.ok && current && current.id === id) canned = res.body.replies || [];
    });
  }
  function slashQuery() {  // the «/word» just before the caret, or null
    var box = $("reply"), before = box.value.slice(0, box.selectionStart);
    var found = /(^|\s)\/([^\s\/]*)$/.exec(before);
    return found ? { text: found[2], start: before.length - found[2].length - 1 } : null;
  }
  function closeCanned() {
    cannedShown = []; cannedActive = -1; $("canned-list").hidden = true; $("canned-list").textContent = "";
    $("reply").removeAttribute("aria-activedescendant");
  }
  function showCanned(query) {
    var q = query.toLowerCase();
    cannedShown = canned.filter(function (c) { return !q || c.title.toLowerCase().indexOf(q) >= 0 || c.text.toLowerCase().indexOf(q) >= 0; });
    var list = $("canned-list"); list.textContent = "";
    if (!cannedShown.length) { closeCanned(); return; }
    cannedShown.forEach(function (c, i) {
      var option = el("li", "canned-option"); option.id = "canned-option-" + i;
      option.setAttribute("role", "option"); option.setAttribute("aria-selected", "false");
      option.appendChild(el("strong", null, c.title)); option.appendChild(el("span", "muted", " " + c.text));
      option.addEventListener("mousedown", function (e) { e.preventDefault(); insertCanned(i); });
      list.appendChild(option);
    });
    list.hidden = false; activateCanned(0);
  }
  function activateCanned(i) {
    cannedActive = (i + cannedShown.length) % cannedShown.length;
    Array.prototype.forEach.call($("canned-list").children, function (option, k) {
      option.setAttribute("aria-selected", k === cannedActive ? "true" : "false");
      option.classList.toggle("active", k === cannedActive);
    });
    $("reply").setAttribute("aria-activedescendant", "canned-option-" + cannedActive);
    var active = $("canned-option-" + cannedActive);
    if (active && active.scrollIntoView) active.scrollIntoView({ block: "nearest" });
  }
  function insertCanned(i) {
    var chosen = cannedShown[i], token_ = slashQuery(), box = $("reply");
    if (!chosen) return;
    var start = token_ ? token_.start : box.selectionStart, end = box.selectionStart;
    box.value = box.value.slice(0, start) + chosen.text + box.value.slice(end);
    var caret = start + chosen.text.length; box.setSelectionRange(caret, caret);
    $("canned-missing").textContent = (chosen.missing || []).length
      ? "لم يُعرف في هذه المحادثة: " + chosen.missing.join("، ") + ". أكمله قبل الإرسال." : "";
    closeCanned(); box.focus();
  }
  $("reply").addEventListener("input", function () {
    typed();
    var found = slashQuery();
    if (found && canned.length) showCanned(found.text); else closeCanned();
  });
  $("reply").addEventListener("keydown", function (e) {
    if ($("canned-list").hidden) return;
    if (e.key === "ArrowDown") { activateCanned(cannedActive + 1); e.preventDefault(); }
    else if (e.key === "ArrowUp") { activateCanned(cannedActive - 1); e.preventDefault(); }
    else if (e.key === "Enter" && !e.shiftKey) { insertCanned(cannedActive); e.preventDefault(); }
    else if (e.key === "Escape") { closeCanned(); e.preventDefault(); }
  });
  $("reply").addEventListener("blur", function () { setTimeout(closeCanned, 150); });
  // --- colleagues to transfer to ---------------------------------------------------------
  function loadColleagues() {
    api("GET", "/api/agents").then(function (res) {
      if (!res.ok) return;
      var select = $("transfer-to"), keep = select.value; select.textContent = "";
      var none = el("option", null, "اختر موظفاً"); none.value = ""; select.appendChild(none);
      (res.body.agents || []).forEach(function (a) {
        if (a.username === res.body.me) return;
        var option = el("option", null, a.display_name + " (" + a.username + ")"); option.value = a.username; select.appendChild(option);
      });
      select.value = keep;
    });
  }
  // --- supervisors: the canned replies themselves ----------------------------------------
  function cannedError(res) {
    var said = (res.body && res.body.error) || "";
    var unknown = /unknown placeholder (\{[^}]*\})/.exec(said);
    if (res.status === 400 && unknown) return "عنصر غير معروف في النص: " + unknown[1] + ". المتاح فقط: {report_number} و{first_name} و{agent_name}.";
    if (res.status === 400 && /brace/.test(said)) return "القوسان { } لا يُستعملان إلا حول عنصر من العناصر المتاحة.";
    if (res.status === 400) return "العنوان (80 حرفاً على الأكثر) والنص (1000 حرف على الأكثر) مطلوبان.";
    if (res.status === 409) return "يوجد رد جاهز بهذا العنوان (أو بلغت الردود حدها).";
    if (res.status === 403) return "إدارة الردود الجاهزة للمشرفين فقط.";
    if (res.status === 404) return "لم يعد هذا الرد موجوداً.";
    return said;
  }
  function editCanned(reply) {
    $("canned-form").setAttribute("data-id", String(reply.id));
    $("canned-form-title").textContent = "تعديل الرد الجاهز: " + reply.title;
    $("canned-title").value = reply.title; $("canned-body").value = reply.body;
    $("canned-cancel").hidden = false; $("canned-title").focus();
  }
  function resetCannedForm() {
    $("canned-form").removeAttribute("data-id"); $("canned-form-title").textContent = "رد جاهز جديد";
    $("canned-title").value = ""; $("canned-body").value = ""; $("canned-cancel").hidden = true;
  }
  function loadCannedAdmin() {
    api("GET", "/api/agents/canned-replies").then(function (res) {
      if (!res.ok) return;
      var list = $("canned-admin-list"); list.textContent = "";
      (res.body.replies || []).forEach(function (reply) {
        var li = el("li"); li.setAttribute("data-canned", String(reply.id));
        li.appendChild(el("strong", null, reply.title)); li.appendChild(el("span", null, " — " + reply.body));
        var edit = el("button", "secondary", "تعديل"); edit.type = "button"; edit.setAttribute("aria-label", "تعديل " + reply.title);
        edit.addEventListener("click", function () { editCanned(reply); });
        var remove = el("button", "secondary", "حذف"); remove.type = "button"; remove.setAttribute("aria-label", "حذف " + reply.title);
        remove.addEventListener("click", function () {
          if (!window.confirm("حذف الرد الجاهز «" + reply.title + "»؟")) return;
          api("DELETE", "/api/agents/canned-replies/" + reply.id).then(function (done) {
            $("canned-error").textContent = done.ok ? "" : cannedError(done); loadCannedAdmin(); loadCanned();
          });
        });
        li.appendChild(edit); li.appendChild(remove); list.appendChild(li);
      });
    });
  }
  $("canned-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var id = $("canned-form").getAttribute("data-id"), body = { title: $("canned-title").value, body: $("canned-body").value };
    api(id ? "PUT" : "POST", "/api/agents/canned-replies" + (id ? "/" + id : ""), body).then(function (res) {
      if (!res.ok) { $("canned-error").textContent = cannedError(res); return; }
      $("canned-error").textContent = "حُفظ الرد الجاهز «" + res.body.title + "».";
      resetCannedForm(); loadCannedAdmin(); loadCanned();
    });
  });
  $("canned-cancel").addEventListener("click", resetCannedForm);
  function start() {
    $("login").hidden = true; $("desk").hidden = false; $("reports-link").hidden = role !== "supervisor";
    $("tab-all").hidden = role !== "supervisor"; $("canned-admin").hidden = role !== "supervisor";
    selectTab(role === "supervisor" ? "all" : "waiting"); refresh(); loadColleagues();
    $("live").hidden = false; liveStatus(false, true); showTitle(); showNotifyChoice(); startPolling(); connectLive();
    if (role === "supervisor") loadCannedAdmin();
  }
  // Too many failed sign-ins: the desk says how long to wait (in Arabic); the button waits too.
  function throttled(body) {
    var seconds = Math.max(1, body.retry_after || 1), button = $("login-form").querySelector("button");
    $("login-error").textContent = body.message || ("محاولات دخول كثيرة غير صحيحة. حاول مجدداً بعد " + seconds + " ثانية.");
    button.disabled = true;
    setTimeout(function () { button.disabled = false; }, seconds * 1000);
  }
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/api/agents/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); })
      .then(function (res) {
        if (res.status === 429) { throttled(res.body); return; }
        if (!res.ok) { $("login-error").textContent = "اسم المستخدم أو كلمة المرور غير صحيحة."; return; }
        token = res.body.token; role = res.body.role; sessionStorage.setItem("balagh.agent", token);
        sessionStorage.setItem("balagh.role", role); $("me").textContent = $("username").value; start();
      });
  });
  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault(); var text = $("reply").value.trim(); if (!current || !text) return;
    api("POST", "/api/handoffs/" + current.id + "/reply", { text: text }).then(function (res) {
      if (!res.ok) { $("reply-error").textContent = "لم يُرسل الرد: " + (REPLY_FAILURES[res.status] || res.body.error); return; }
      stoppedTyping(); $("reply-error").textContent = ""; $("canned-missing").textContent = ""; $("reply").value = ""; refresh();
    }).catch(function () { $("reply-error").textContent = "لم يُرسل الرد: تعذّر الاتصال، أعد المحاولة."; });
  });
  $("note-form").addEventListener("submit", function (e) {
    e.preventDefault(); var text = $("note").value.trim(); if (!current || !text) return;
    api("POST", "/api/handoffs/" + current.id + "/notes", { text: text }).then(function (res) {
      if (!res.ok) { $("note-error").textContent = "لم تُحفظ الملاحظة: " + (NOTE_FAILURES[res.status] || res.body.error); return; }
      $("note-error").textContent = ""; $("note").value = ""; refresh();
    });
  });
  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault(); var to = $("transfer-to").value;
    if (!current) return;
    if (!to) { $("transfer-error").textContent = "اختر الموظف الذي تُحوَّل إليه المحادثة."; return; }
    api("POST", "/api/handoffs/" + current.id + "/transfer", { to: to, note: $("transfer-note").value.trim() }).then(function (res) {
      if (!res.ok) { $("transfer-error").textContent = "لم تُحوَّل: " + (TRANSFER_FAILURES[res.status] || res.body.error); return; }
      $("transfer-note").value = ""; $("transfer-to").value = ""; closeChat();
      $("desk-status").textContent = "حُوِّلت المحادثة إلى " + to + ".";
    });
  });
  $("hand-back").addEventListener("click", function () { if (current) api("POST", "/api/handoffs/" + current.id + "/hand-back").then(closeChat); });
  $("close").addEventListener("click", function () { if (current) api("POST", "/api/handoffs/" + current.id + "/close").then(closeChat); });
  $("reveal").addEventListener("click", function () {
    if (current) api("POST", "/api/handoffs/" + current.id + "/reveal").then(function (res) {
      $("revealed").textContent = res.ok ? ("الهوية " + (res.body.national_id || "-") + " · الجوال " + (res.body.mobile || "-")) : res.body.error; });
  });
  $("status-form").addEventListener("submit", function (e) {
    e.preventDefault(); var number = current && current.summary.report_number;
    if (!number) { $("status-result").textContent = "لا يوجد بلاغ مرتبط بهذه المحادثة."; return; }
    api("POST", "/api/handoffs/report-status", { number: number, status: $("status").value, note: $("status-note").value })
      .then(function (res) { $("status-result").textContent = res.ok ? "تم الحفظ" : (STATUS_FAILURES[res.status] || res.body.error); });
  });
  // --- live (issue 21, item 3): the desk pushes what changed as server-sent events -------
  // A ticket taken with the session opens the stream (the session's token never goes in a
  // URL); while there is no stream the queue is polled as before, and the stream is tried
  // again after 1, 2, 4 … 30 s. A push names a chat, never its content: the console then
  // fetches what it shows through the usual routes.
  var POLL_MS = 1500, TITLE = "بلاغ رقمي – المحادثات", PAGE_TITLE = document.title;
  var live = { source: null, retry: 1000, timer: null, poll: null, soon: null };
  var waitingCount = null;
  function showTitle() {  // «(3) بلاغ رقمي – المحادثات»: the chats waiting, on any tab
    document.title = !token ? PAGE_TITLE : (waitingCount ? "(" + waitingCount + ") " : "") + TITLE;
  }
  function setWaiting(n) { if (typeof n === "number") { waitingCount = n; showTitle(); } }
  function liveStatus(on, first) {
    var status = $("live-status");
    status.setAttribute("data-live", on ? "on" : "off");
    status.textContent = on ? "تحديث مباشر" : first ? "جارٍ الاتصال بالتحديث المباشر…" : "يُعاد الاتصال بالتحديث المباشر…";
  }
  function startPolling() { if (!live.poll) live.poll = setInterval(refresh, POLL_MS); }
  function stopPolling() { clearInterval(live.poll); live.poll = null; }
  function closeLive() {
    clearTimeout(live.timer); live.timer = null;
    if (live.source) { live.source.close(); live.source = null; }
  }
  function queueSoon() { clearTimeout(live.soon); live.soon = setTimeout(refreshQueue, 100); }  // a burst, one fetch
  function pushed(source, name, then) {
    source.addEventListener(name, function (e) { if (live.source === source) then(JSON.parse(e.data)); });
  }
  function connectLive() {
    closeLive();
    if (!token || !window.EventSource) { startPolling(); return; }
    api("POST", "/api/agents/live-ticket").then(function (res) {
      if (!token || live.source) return;
      if (!res.ok) { retryLive(); return; }
      var source = new EventSource(res.body.stream);
      live.source = source;
      pushed(source, "hello", function (d) {
        live.retry = 1000; stopPolling(); liveStatus(true); setWaiting(d.waiting); refresh();  // what was missed
      });
      pushed(source, "handoff", function (d) {
        setWaiting(d.waiting); if (d.kind === "new") announce(d); queueSoon();
      });
      pushed(source, "chat", function (d) {  // new messages: the open chat's transcript, the unread counts
        if (current && current.id === d.handoff) loadTranscript().then(function () { if (d.citizen) queueSoon(); });
        else if (d.citizen) queueSoon();
      });
      pushed(source, "note", function (d) { if (current && current.id === d.handoff) loadNotes(); });
      pushed(source, "bye", function () { closeLive(); live.retry = 1000; connectLive(); });  // a new ticket
      source.onerror = function () { if (live.source === source) retryLive(); };
    }).catch(retryLive);
  }
  function retryLive() {
    closeLive();
    if (!token) { stopPolling(); return; }  // signed out meanwhile
    liveStatus(false); startPolling();
    live.timer = setTimeout(connectLive, live.retry);
    live.retry = Math.min(live.retry * 2, 30000);
  }
  // The waiting times move on between pushes (nothing is fetched for that).
  setInterval(function () {
    if (!live.source || live.poll) return;
    items.forEach(function (h) { h.waiting_seconds = (h.waiting_seconds || 0) + 30; });
    renderQueue();
  }, 30000);
  // --- a new hand-off: said on the page, a short sound, a browser notification ------------
  function announce(d) {
    var l = d.labels || {}, what = [l.channel, l.reason].filter(Boolean).join(" · ");
    var said = $("queue-announce");
    said.textContent = "وصلت محادثة جديدة بالانتظار" + (what ? ": " + what : "") + "."; said.hidden = false;
    chime(); notify(d.id, what);
  }
  // Browsers play a page's sound only after the person did something on it: the sound (the
  // desk's own file, fetched: the page's policy allows no media element) is made ready at the
  // first click or key, signing in included, and played with Web Audio.
  var sound = { context: null, buffer: null };
  function readySound() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (!sound.context) {
      sound.context = new Context();
      fetch("/console/sounds/new-handoff.wav").then(function (r) { return r.arrayBuffer(); })
        .then(function (bytes) { return sound.context.decodeAudioData(bytes); })
        .then(function (decoded) { sound.buffer = decoded; })
        .catch(function () { sound.buffer = null; });
    }
    if (sound.context.state === "suspended") sound.context.resume();
  }
  document.addEventListener("click", readySound);
  document.addEventListener("keydown", readySound);
  function chime() {
    if (!sound.context || !sound.buffer) return;
    var played = sound.context.createBufferSource();
    played.buffer = sound.buffer; played.connect(sound.context.destination); played.start();
  }
  // Browser notifications: asked with the button only (never on load), shown for a new
  // hand-off when the agent is on another tab or window.
  function showNotifyChoice() {
    var Notice = window.Notification, state = $("notify-state");
    $("notify").hidden = !Notice || Notice.permission !== "default";
    state.textContent = !Notice ? "" : Notice.permission === "granted" ? "تنبيهات المتصفح مفعّلة."
      : Notice.permission === "denied" ? "تنبيهات المتصفح محظورة في إعدادات المتصفح." : "";
  }
  $("notify").addEventListener("click", function () {
    var asked = window.Notification.requestPermission(showNotifyChoice);  // older browsers: the callback
    if (asked && asked.then) asked.then(showNotifyChoice);
  });
  function notify(id, what) {
    var Notice = window.Notification;
    if (!Notice || Notice.permission !== "granted") return;
    if (document.visibilityState === "visible" && document.hasFocus()) return;  // she sees the page
    var shown = new Notice("محادثة جديدة بالانتظار – بلاغ رقمي", { body: what, tag: "balagh-handoff-" + id, lang: "ar", dir: "rtl" });
    shown.onclick = function () { window.focus(); shown.close(); };
  }
  // --- "the agent is typing", for the citizen's web widget --------------------------------
  // Said at most every 3 s while she types, stopped after 4 s without a key (or on sending);
  // the desk tells the widget of a web chat only, and the widget hides it if nothing follows.
  var TYPING_EVERY_MS = 3000, TYPING_IDLE_MS = 4000;
  var typing = { chat: null, at: 0, idle: null };
  function sendTyping(chat, on) {
    api("POST", "/api/handoffs/" + chat + "/typing", { typing: on }).catch(function () {});
  }
  function typed() {
    if (!current || current.channel !== "webchat") return;
    var now = Date.now();
    if (typing.chat !== current.id || now - typing.at >= TYPING_EVERY_MS) {
      typing.chat = current.id; typing.at = now; sendTyping(current.id, true);
    }
    clearTimeout(typing.idle); typing.idle = setTimeout(stoppedTyping, TYPING_IDLE_MS);
  }
  function stoppedTyping() {
    clearTimeout(typing.idle);
    if (typing.chat !== null && token) sendTyping(typing.chat, false);
    typing.chat = null; typing.at = 0;
  }
  if (token) start();
})();
