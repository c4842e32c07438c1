(function () {
  "use strict";
  var token = sessionStorage.getItem("balagh.agent");
  var role = sessionStorage.getItem("balagh.role");
  var current = null;
  // The queue's tabs: waiting (oldest first), the agent's own, every open chat (supervisors).
  var me = null, items = [], tab = role === "supervisor" ? "all" : "waiting";
  function $(id) { return document.getElementById(id); }
  function api(method, path, body) {
    return fetch(path, { method: method, headers: { "Content-Type": "application/json",
      "Authorization": "Bearer " + token }, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) { if (r.status === 401) { signOut(); } return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }
  var NO_SUCH_CHAT = "المحادثة غير موجودة.";
  var TAKE_FAILURES = { 409: "استلم هذه المحادثة موظف آخر أو انتهت.", 404: NO_SUCH_CHAT };
  var REASSIGN_FAILURES = { 400: "لا يوجد موظف نشط بهذا الاسم.", 403: "إعادة الإسناد للمشرفين فقط.", 404: NO_SUCH_CHAT };
  var STATUS_FAILURES = { 403: "لا يمكن تغيير حالة هذا البلاغ: ليس بلاغ المحادثة التي تتولاها.", 404: "البلاغ غير موجود.", 409: "لا يسمح مسار البلاغ بهذا التغيير." };
  var REPLY_FAILURES = { 409: "المحادثة لم تعد لديك.", 404: NO_SUCH_CHAT, 502: "تعذّر إيصاله إلى قناة المستفيد، أعد المحاولة." };
  // The chat's controls work only on an open chat: until the take is confirmed they are
  // disabled, so a reply typed too early is never silently dropped.
  function openChat(h, text) {
    current = h; $("chat-info").textContent = text; $("chat-controls").disabled = false; refresh();
  }
  function closeChat() {
    current = null; $("chat-controls").disabled = true; $("chat-info").textContent = "اختر محادثة من القائمة.";
    $("transcript").textContent = ""; $("revealed").textContent = ""; $("reply-error").textContent = ""; refresh();
  }
  function signOut() { sessionStorage.removeItem("balagh.agent"); token = null; $("desk").hidden = true; $("login").hidden = false; }
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
    $("queue").setAttribute("aria-labelledby", "tab-" + name);
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
  function renderQueue() {
    ["waiting", "mine", "all"].forEach(function (name) {
      $("tab-" + name).querySelector(".count").textContent = "(" + inTab(name).length + ")";
    });
    var shown = inTab(tab), list = $("queue"); list.textContent = "";
    $("queue-empty").hidden = shown.length > 0;
    shown.forEach(function (h) {
      // Actions go by the hand-off's id; the conversation id comes masked (it holds a phone number).
      var li = document.createElement("li"); li.setAttribute("data-handoff", String(h.id));
      var text = describe(h);
      li.textContent = text;
      // The open chat's header follows the queue (taken: its status says so).
      if (current && current.id === h.id) { current = h; $("chat-info").textContent = text; }
      var open = document.createElement("button"); open.type = "button";
      open.textContent = h.status === "waiting" ? "استلام" : "فتح";
      open.addEventListener("click", function () {
        (h.status === "waiting" ? api("POST", "/api/handoffs/" + h.id + "/take") : Promise.resolve({ ok: true }))
          .then(function (res) {
            // A failed take says so beside the queue: an open chat, if any, stays as it was.
            $("queue-error").textContent = res.ok ? "" : (TAKE_FAILURES[res.status] || res.body.error);
            if (res.ok) { if (tab === "waiting") { selectTab("mine"); } openChat(h, text); } else { refresh(); }
          });
      });
      li.appendChild(open);
      if (role === "supervisor") {
        var move = document.createElement("button"); move.type = "button"; move.className = "secondary";
        move.textContent = "إعادة إسناد";
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
  }
  function renderTranscript(data) {
    var box = $("transcript"); box.textContent = "";
    (data.messages || []).forEach(function (m) {
      var div = document.createElement("div"); div.className = "msg from-" + m.from; div.textContent = m.text; box.appendChild(div);
    });
    box.scrollTop = box.scrollHeight;
  }
  function refresh() {
    if (!token) return;
    api("GET", "/api/handoffs").then(function (res) {
      if (res.ok) { me = res.body.me; items = res.body.handoffs || []; renderQueue(); }
    });
    if (current) api("GET", "/api/handoffs/" + current.id + "/transcript").then(function (res) { if (res.ok) renderTranscript(res.body); });
  }
  function start() {
    $("login").hidden = true; $("desk").hidden = false; $("reports-link").hidden = role !== "supervisor";
    $("tab-all").hidden = role !== "supervisor"; selectTab(role === "supervisor" ? "all" : "waiting"); refresh();
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
      $("reply-error").textContent = ""; $("reply").value = ""; refresh();
    }).catch(function () { $("reply-error").textContent = "لم يُرسل الرد: تعذّر الاتصال، أعد المحاولة."; });
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
  setInterval(refresh, 1500);
  if (token) start();
})();
