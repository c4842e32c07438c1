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
  function start() {
    var today = new Date(), first = new Date(Date.UTC(today.getFullYear(), today.getMonth() - 5, 1));
    if (!$("from").value) { $("from").value = iso(first); $("to").value = iso(today); }
    $("login").hidden = true; $("desk").hidden = false; show();
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
