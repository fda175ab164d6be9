// The approvals page's static files. They hold no data and no token, so a browser may load them without
// one; the script asks for the person's token once, keeps it in this tab's sessionStorage and sends it as
// an Authorization header on its own requests (a header no other site can make a browser send: no CSRF).
// Everything shown that a server or an agent wrote (tool names, arguments, reasons, names) is put in the
// page as text (textContent), never as markup, and as the gateway escaped it (`shown`: no hidden
// characters); the page allows only these files (CSP, no inline script).

export const APPROVALS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MCP Warden: approvals</title>
<link rel="stylesheet" href="/approvals/app.css">
<script src="/approvals/app.js" defer></script>
</head>
<body>
<header><h1>MCP Warden: approvals</h1><p id="who"></p><button type="button" id="logout" hidden>Forget my token</button></header>
<form id="login" hidden>
  <label for="token">Your token for this gateway</label>
  <input id="token" type="password" autocomplete="off" spellcheck="false" required>
  <button type="submit">Sign in</button>
  <p id="login-problem" role="alert"></p>
</form>
<main id="main" hidden>
  <p id="status" role="status"></p>
  <ul id="pending"></ul>
</main>
</body>
</html>
`;

export const APPROVALS_CSS = `body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 1.3rem; margin: 0; }
ul { list-style: none; padding: 0; }
li.call { border: 1px solid #bbb; border-radius: 6px; padding: .8rem 1rem; margin: .8rem 0; }
li.call h2 { font-size: 1.05rem; margin: 0 0 .4rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem .8rem; margin: .4rem 0; }
dt { font-weight: 600; }
pre { background: #f4f4f4; padding: .5rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-all; }
.risk-high, .risk-critical { color: #a00000; font-weight: 600; }
button { font: inherit; padding: .3rem .9rem; margin-right: .5rem; }
#login-problem, .problem { color: #a00000; }
`;

export const APPROVALS_JS = `'use strict';
(function () {
  var KEY = 'mcp-warden-approvals-token';
  var $ = function (id) { return document.getElementById(id); };
  var skew = 0;
  var timer = null;

  function token() { return sessionStorage.getItem(KEY); }

  function showLogin(problem) {
    if (timer) { clearInterval(timer); timer = null; }
    $('main').hidden = true;
    $('logout').hidden = true;
    $('who').textContent = '';
    $('login').hidden = false;
    $('login-problem').textContent = problem || '';
  }

  function api(path, init) {
    init = init || {};
    init.headers = Object.assign({ authorization: 'Bearer ' + token() }, init.headers || {});
    init.cache = 'no-store';
    init.credentials = 'omit';
    return fetch(path, init).then(function (res) {
      return res.text().then(function (text) {
        var body = null;
        try { body = JSON.parse(text); } catch (e) { body = null; }
        if (res.status === 401) {
          sessionStorage.removeItem(KEY);
          showLogin('The gateway did not accept the token: ' + messageOf(body, res.status));
          throw new Error('unauthorized');
        }
        return { status: res.status, body: body };
      });
    });
  }

  function messageOf(body, status) {
    if (body && body.error && typeof body.error.message === 'string') return body.error.message;
    if (body && typeof body.message === 'string') return body.message;
    return 'HTTP ' + status;
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  function row(dl, name, value, cls) {
    dl.appendChild(el('dt', name));
    var dd = el('dd', value, cls);
    dl.appendChild(dd);
    return dd;
  }

  function timeLeft(expiresAt) {
    var seconds = Math.max(0, Math.round((expiresAt - (Date.now() + skew)) / 1000));
    return seconds + ' s';
  }

  function render(data) {
    $('who').textContent = 'Signed in as ' + data.you.name + (data.you.groups.length ? ' (' + data.you.groups.join(', ') + ')' : '');
    var list = $('pending');
    var keep = {};
    data.pending.forEach(function (call) { keep[call.id] = true; });
    Array.prototype.slice.call(list.children).forEach(function (item) { if (!keep[item.dataset.id]) list.removeChild(item); });
    data.pending.forEach(function (call) {
      var existing = list.querySelector('li[data-id="' + CSS.escape(call.id) + '"]');
      if (existing) { existing.querySelector('.left').textContent = timeLeft(call.expiresAt); return; }
      list.appendChild(item(call));
    });
    $('status').textContent = data.pending.length === 0 ? 'No call is waiting for you.' : data.pending.length + (data.pending.length === 1 ? ' call is' : ' calls are') + ' waiting.';
  }

  function item(call) {
    var li = el('li', undefined, 'call');
    li.dataset.id = call.id;
    li.appendChild(el('h2', call.shown.server + ' / ' + call.shown.tool));
    var dl = el('dl');
    row(dl, 'Server', call.shown.server);
    row(dl, 'Tool', call.shown.tool);
    row(dl, 'Risk', call.risk ? call.risk.category + ', ' + call.risk.level : 'unknown', call.risk ? 'risk-' + call.risk.level : '');
    row(dl, 'Asked by', call.shown.caller !== null ? call.shown.caller : 'no identity');
    if (call.shown.reason) row(dl, 'Why it asks', call.shown.reason);
    row(dl, 'Time left', timeLeft(call.expiresAt), 'left');
    li.appendChild(dl);
    li.appendChild(el('pre', call.shown.arguments, 'arguments'));
    var approve = el('button', 'Approve once', 'approve');
    var session = el('button', 'Allow for this session', 'allow-session');
    session.title = 'Later calls of this tool by ' + (call.shown.caller !== null ? call.shown.caller : 'this caller') + ' in this session and conversation go on without asking (every other rule still applies)';
    var deny = el('button', 'Deny', 'deny');
    var buttons = call.sessionGrant ? [approve, session, deny] : [approve, deny];
    var problem = el('p', '', 'problem');
    function answer(body) {
      buttons.forEach(function (b) { b.disabled = true; });
      body.id = call.id;
      api('/approvals/api/answer', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
        .then(function (res) {
          if (res.status === 200) { li.remove(); return; }
          problem.textContent = messageOf(res.body, res.status);
          buttons.forEach(function (b) { b.disabled = false; });
        })
        .catch(function () {});
    }
    approve.addEventListener('click', function () { answer({ approved: true }); });
    session.addEventListener('click', function () { answer({ approved: true, session: true }); });
    deny.addEventListener('click', function () { answer({ approved: false }); });
    buttons.forEach(function (b) { b.type = 'button'; li.appendChild(b); });
    li.appendChild(problem);
    return li;
  }

  function refresh() {
    return api('/approvals/api/pending').then(function (res) {
      if (res.status !== 200) { $('status').textContent = 'The gateway could not list the calls: ' + messageOf(res.body, res.status); return; }
      skew = res.body.now - Date.now();
      render(res.body);
    }).catch(function () {});
  }

  function start() {
    $('login').hidden = true;
    $('main').hidden = false;
    $('logout').hidden = false;
    refresh();
    if (!timer) timer = setInterval(refresh, 1000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login').addEventListener('submit', function (event) {
      event.preventDefault();
      var value = $('token').value.trim();
      $('token').value = '';
      if (!value) return;
      sessionStorage.setItem(KEY, value);
      start();
    });
    $('logout').addEventListener('click', function () {
      sessionStorage.removeItem(KEY);
      showLogin('');
    });
    if (token()) start(); else showLogin('');
  });
})();
`;
