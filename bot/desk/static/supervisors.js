(function () {
  "use strict";
  var token = sessionStorage.getItem("balagh.agent");
  function $(id) { return document.getElementById(id); }
  function iso(d) { return d.toISOString().slice(0, 10); }
  function signOut(message) {
    sessionStorage.removeItem("balagh.agent"); token = null;
    $("desk").hidden = true; $("login").hidden = false; $("login-error").textContent = message || "";
  }
  function fetchReport(format) {
    var query = "?from=" + $("from").value + "&to=" + $("to").value + "&format=" + format;
    return fetch("/api/supervisors/report" + query, { headers: { "Authorization": "Bearer " + token } })
      .then(function (r) {
        if (r.status === 401) { signOut("انتهت الجلسة، سجّل الدخول مجدداً."); throw new Error("401"); }
        if (r.status === 403) { signOut("هذه الصفحة للمشرفين فقط."); throw new Error("403"); }
        if (!r.ok) { return r.json().then(function (j) { throw new Error(j.error); }); }
        return r.text();
      });
  }
  var latest = 0;  // only the newest request may fill the page (periods can be changed quickly)
  function show() {
    var ticket = ++latest, from = $("from").value, to = $("to").value;
    $("status").textContent = "جارٍ إعداد التقرير…";
    fetchReport("html").then(function (html) {
      if (ticket !== latest) return;
      var frame = $("report");
      frame.onload = function () {
        frame.style.height = frame.contentDocument.documentElement.scrollHeight + 20 + "px";
        $("status").textContent = "التقرير من " + from + " إلى " + to + ".";
        frame.setAttribute("data-period", from + "/" + to);
      };
      frame.srcdoc = html;
    }).catch(function (e) { if (ticket === latest && e.message !== "401" && e.message !== "403") $("status").textContent = e.message; });
  }
  // The lists of reports (GET /api/supervisors/reports: the staff API's lists).
  var HINTS = {
    overdue: "بلاغات تجاوزت موعد الرد ولم يُبتّ فيها (لا تُحتسب مدة انتظار بيانات المستفيد).",
    awaiting_first_review: "بلاغات لم تبدأ مراجعتها بعد مضي يوم عمل كامل على تقديمها (الدليل: إشعار نقص البيانات خلال اليوم الأول).",
    needs_attention: "بلاغات تنتظر بيانات المستفيد ولم يصله إشعار نقص البيانات: تواصلوا معه بطريقة أخرى.",
    all: "جميع البلاغات، الأقدم أولاً."
  };
  var PER_PAGE = 20, list = { name: "overdue", page: 1 }, listTicket = 0;
  function fillChoices(select, choices) {
    if (select.options.length > 1 || !choices) return;
    choices.forEach(function (c) { var o = document.createElement("option"); o.value = c.value; o.textContent = c.label; select.appendChild(o); });
  }
  function cell(row, text, name) {
    var td = document.createElement("td"); td.textContent = text; if (name) td.className = name; row.appendChild(td);
  }
  function listQuery() {
    var q = ["page=" + list.page, "per_page=" + PER_PAGE];
    if (list.name !== "all") q.push(list.name + "=true");
    if ($("list-status").value) q.push("status=" + encodeURIComponent($("list-status").value));
    if ($("list-type").value) q.push("type=" + encodeURIComponent($("list-type").value));
    if ($("list-entity").value.trim()) q.push("entity=" + encodeURIComponent($("list-entity").value.trim()));
    return "?" + q.join("&");
  }
  function showList() {
    var ticket = ++listTicket;
    $("list-hint").textContent = HINTS[list.name];
    $("list-summary").textContent = "جارٍ التحميل…";
    fetch("/api/supervisors/reports" + listQuery(), { headers: { "Authorization": "Bearer " + token } })
      .then(function (r) {
        if (r.status === 401) { signOut("انتهت الجلسة، سجّل الدخول مجدداً."); throw new Error("401"); }
        if (r.status === 403) { signOut("هذه الصفحة للمشرفين فقط."); throw new Error("403"); }
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error); return j; });
      })
      .then(function (answer) {
        if (ticket !== listTicket) return;
        if (!answer.reports.length && answer.total && answer.page > 1) {  // the list got shorter
          list.page = Math.ceil(answer.total / answer.per_page); showList(); return;
        }
        fillChoices($("list-status"), answer.choices && answer.choices.status);
        fillChoices($("list-type"), answer.choices && answer.choices.type);
        var rows = $("list-rows"), pages = Math.max(1, Math.ceil(answer.total / answer.per_page));
        rows.textContent = "";
        answer.reports.forEach(function (report) {
          var tr = document.createElement("tr");
          cell(tr, report.number, "number"); cell(tr, report.type_label); cell(tr, report.status_label);
          cell(tr, report.entity || "—"); cell(tr, report.filed_on); cell(tr, report.due_at);
          rows.appendChild(tr);
        });
        $("list-summary").textContent = answer.total ? "عدد البلاغات: " + answer.total : "لا توجد بلاغات في هذه القائمة.";
        $("list-page").textContent = answer.total ? "الصفحة " + answer.page + " من " + pages : "";
        $("list-prev").disabled = answer.page <= 1;
        $("list-next").disabled = answer.page >= pages;
        $("list-panel").setAttribute("data-shown", list.name + "/" + answer.page);
      })
      .catch(function (e) {
        if (ticket === listTicket && e.message !== "401" && e.message !== "403") $("list-summary").textContent = "تعذّر عرض القائمة: " + e.message;
      });
  }
  function selectList(name) {
    list = { name: name, page: 1 };
    Array.prototype.forEach.call(document.querySelectorAll("#list-tabs [role=tab]"), function (t) {
      var on = t.getAttribute("data-list") === name;
      t.setAttribute("aria-selected", on ? "true" : "false"); t.tabIndex = on ? 0 : -1;
      if (on) $("list-panel").setAttribute("aria-labelledby", t.id);
    });
    showList();
  }
  Array.prototype.forEach.call(document.querySelectorAll("#list-tabs [role=tab]"), function (t) {
    t.addEventListener("click", function () { selectList(t.getAttribute("data-list")); });
    t.addEventListener("keydown", function (e) {  // arrows move between the tabs (right to left)
      if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
      var tabs = Array.prototype.slice.call(document.querySelectorAll("#list-tabs [role=tab]"));
      var step = e.key === "ArrowLeft" ? 1 : -1, next = tabs[(tabs.indexOf(t) + step + tabs.length) % tabs.length];
      selectList(next.getAttribute("data-list")); next.focus(); e.preventDefault();
    });
  });
  $("list-filters").addEventListener("submit", function (e) { e.preventDefault(); list.page = 1; showList(); });
  $("list-prev").addEventListener("click", function () { if (list.page > 1) { list.page -= 1; showList(); } });
  $("list-next").addEventListener("click", function () { list.page += 1; showList(); });
  function start() {
    var today = new Date(), first = new Date(Date.UTC(today.getFullYear(), today.getMonth() - 5, 1));
    if (!$("from").value) { $("from").value = iso(first); $("to").value = iso(today); }
    $("login").hidden = true; $("desk").hidden = false; showList(); show();
  }
  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    fetch("/api/agents/login", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: $("username").value, password: $("password").value }) })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); })
      .then(function (res) {
        if (res.status === 429) {  // too many failed sign-ins: the wait, in Arabic
          $("login-error").textContent = res.body.message || "محاولات دخول كثيرة غير صحيحة. حاول مجدداً لاحقاً.";
          return;
        }
        if (!res.ok) { $("login-error").textContent = "اسم المستخدم أو كلمة المرور غير صحيحة."; return; }
        if (res.body.role !== "supervisor") { $("login-error").textContent = "هذه الصفحة للمشرفين فقط."; return; }
        token = res.body.token; sessionStorage.setItem("balagh.agent", token);
        sessionStorage.setItem("balagh.role", res.body.role); start();
      });
  });
  $("period-form").addEventListener("submit", function (e) { e.preventDefault(); show(); });
  $("csv").addEventListener("click", function () {
    fetchReport("csv").then(function (text) {
      var link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
      link.download = "voice-of-beneficiary-" + $("from").value + "-" + $("to").value + ".csv";
      document.body.appendChild(link); link.click(); link.remove();
    }).catch(function () {});
  });
  $("print").addEventListener("click", function () { $("report").contentWindow.print(); });
  if (token) start();
})();
