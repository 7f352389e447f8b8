/**
 * The playground page: one HTML document with inline CSS and JS (no framework, nothing loaded
 * from the network). The page script avoids template literals so that it can live in this one.
 */
export const PLAYGROUND_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>identity-gateway playground</title>
<style>
  * { box-sizing: border-box; }
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 18px; align-items: baseline; }
  header h1 { font-size: 16px; margin: 0; }
  header code { color: #9fd3ff; }
  main { padding: 14px 18px; }
  .controls { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
  fieldset { border: 1px solid #cfd4dc; border-radius: 6px; background: #fff; margin: 0; padding: 8px 12px 12px; }
  legend { font-weight: 600; padding: 0 4px; }
  label { display: block; margin: 6px 0 2px; font-size: 12px; color: #4a5263; }
  input, select, textarea { font: 13px ui-monospace, monospace; width: 100%; padding: 4px 6px; border: 1px solid #b8bfcc; border-radius: 4px; }
  textarea { height: 52px; }
  .row { display: flex; gap: 8px; align-items: end; }
  .row > * { flex: 1; }
  button { margin-top: 10px; padding: 6px 14px; border: 0; border-radius: 4px; background: #2463eb; color: #fff; font-weight: 600; cursor: pointer; }
  .check { display: flex; gap: 6px; align-items: center; margin-top: 8px; }
  .check input { width: auto; }
  #token { font: 12px ui-monospace, monospace; color: #4a5263; word-break: break-all; margin-top: 6px; }
  #outcome { margin: 14px 0 10px; padding: 8px 12px; border-radius: 6px; font-weight: 600; background: #e6e9ef; }
  #outcome[data-state="ok"] { background: #d9f2e0; color: #11622e; }
  #outcome[data-state="http-error"] { background: #fff1d6; color: #7a4b00; }
  #outcome[data-state="blocked"] { background: #fbdcdc; color: #8a1414; }
  .panels { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; }
  .panel { background: #fff; border: 1px solid #cfd4dc; border-radius: 6px; min-width: 0; }
  .panel h2 { font-size: 13px; margin: 0; padding: 6px 10px; border-bottom: 1px solid #e3e6eb; background: #fafbfc; }
  .panel pre { margin: 0; padding: 8px 10px; font: 12px/1.45 ui-monospace, monospace; white-space: pre-wrap; word-break: break-all; }
  .muted { color: #7a8294; }
</style>
</head>
<body>
<header>
  <h1>identity-gateway playground</h1>
  <span>API <code id="api">…</code></span>
  <span>mode <code id="mode">…</code></span>
  <span>this page <code id="origin"></code></span>
</header>
<main>
  <div class="controls">
    <fieldset>
      <legend>1. Mint a token (development issuer)</legend>
      <div class="row">
        <div><label for="sub">sub</label><input id="sub" value="dev-customer"></div>
        <div><label for="expires">expires in</label><input id="expires" value="15m"></div>
      </div>
      <label for="claims">more claims (JSON; dotted roles go nested: {"metadata":{"role":"admin"}})</label>
      <textarea id="claims">{"name": "Dev Customer"}</textarea>
      <button id="mint">Mint token</button>
      <div id="token" class="muted">no token yet</div>
    </fieldset>
    <fieldset>
      <legend>2. Call the API from this page (cross-origin fetch)</legend>
      <div class="row">
        <div style="flex:0 0 110px"><label for="method">method</label>
          <select id="method"><option>GET</option><option>POST</option><option>DELETE</option></select></div>
        <div><label for="path">path</label><input id="path" value="/hello"></div>
      </div>
      <label for="spoof">client-sent identity header (not in corsAllowHeaders: the preflight stops it)</label>
      <input id="spoof" placeholder="e.g. someone-else">
      <div class="check"><input type="checkbox" id="send-token" checked><label for="send-token" style="margin:0">send Authorization: Bearer &lt;token&gt;</label></div>
      <button id="call">Call API</button>
    </fieldset>
  </div>
  <div id="outcome" data-state="idle">Mint a token, then call the API.</div>
  <div class="panels">
    <div class="panel"><h2>Request (from the browser)</h2><pre id="request" class="muted">–</pre></div>
    <div class="panel"><h2>Preflight (gateway's OPTIONS answer)</h2><pre id="preflight" class="muted">–</pre></div>
    <div class="panel"><h2>Response headers (gateway)</h2><pre id="response" class="muted">–</pre></div>
    <div class="panel"><h2>What the backend received</h2><pre id="backend" class="muted">–</pre><pre>identity: <span id="identity">–</span></pre></div>
  </div>
</main>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var cfg = null;
  var token = "";
  var short = function (t) { return t.length > 16 ? t.slice(0, 12) + "…(" + t.length + " chars)" : "<token>"; };
  var lines = function (pairs) { return pairs.map(function (p) { return p[0] + ": " + p[1]; }).join("\\n"); };
  var show = function (id, text) { var el = $(id); el.textContent = text; el.className = ""; };
  var outcome = function (state, text) { var el = $("outcome"); el.dataset.state = state; el.textContent = text; };
  $("origin").textContent = location.origin;

  fetch("/_playground/api/config").then(function (r) { return r.json(); }).then(function (c) {
    cfg = c;
    $("api").textContent = c.apiUrl;
    $("mode").textContent = c.mode;
  });

  $("mint").addEventListener("click", function () {
    var claims;
    try { claims = JSON.parse($("claims").value || "{}"); } catch (e) { outcome("http-error", "claims: " + e.message); return; }
    fetch("/_playground/api/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sub: $("sub").value, claims: claims, expiresIn: $("expires").value })
    }).then(function (r) { return r.json(); }).then(function (b) {
      if (!b.token) { outcome("http-error", "mint: " + b.error); return; }
      token = b.token;
      $("token").textContent = "token " + short(token) + " for sub " + ($("sub").value || "dev-customer");
      $("token").dataset.minted = "true";
      outcome("idle", "Token minted. Call the API.");
    });
  });

  $("call").addEventListener("click", function () {
    if (!cfg) return;
    var method = $("method").value;
    var headers = {};
    if ($("send-token").checked && token) headers["Authorization"] = "Bearer " + token;
    if ($("spoof").value) headers[cfg.identityHeader] = $("spoof").value;
    fetch("/_playground/api/nonce").then(function (r) { return r.json(); }).then(function (n) {
      var path = $("path").value || "/";
      var url = cfg.apiUrl + path + (path.indexOf("?") >= 0 ? "&" : "?") + "pg=" + n.tag;
      var shown = Object.keys(headers).map(function (k) {
        return [k, k === "Authorization" ? "Bearer " + short(token) : headers[k]];
      });
      show("request", method + " " + url + "\\nOrigin: " + location.origin + (shown.length ? "\\n" + lines(shown) : ""));
      var result = { status: 0, text: "", error: "" };
      return fetch(url, { method: method, headers: headers }).then(function (r) {
        result.status = r.status;
        return r.text().then(function (t) { result.text = t; });
      }, function (e) { result.error = String(e); }).then(function () {
        return fetch("/_playground/api/exchanges?tag=" + n.tag).then(function (r) { return r.json(); });
      }).then(function (exchanges) { render(result, exchanges); });
    });
  });

  function render(result, exchanges) {
    var pre = exchanges.filter(function (e) { return e.method === "OPTIONS"; })[0];
    var actual = exchanges.filter(function (e) { return e.method !== "OPTIONS"; })[0];
    show("preflight", pre
      ? "OPTIONS → " + pre.status + "\\n" + lines(pre.responseHeaders) + "\\n\\nrequest: " + lines(pre.requestHeaders.filter(function (h) { return /^(origin|access-control-)/i.test(h[0]); })).replace(/\\n/g, "; ")
      : "none: a simple request (no Authorization or other non-safelisted header), so the browser sent no preflight");
    show("response", actual
      ? actual.status + "\\n" + lines(actual.responseHeaders)
      : "not sent: the browser stopped after the preflight");
    var echo = null;
    try { echo = JSON.parse(result.text); } catch (e) { echo = null; }
    if (result.error) {
      show("backend", actual ? "(the page may not read the answer)" : "(nothing: the request was not sent)");
      $("identity").textContent = "–";
      outcome("blocked", "Blocked by the browser (CORS): " + result.error);
      return;
    }
    show("backend", echo && echo.headers ? JSON.stringify({ identity: echo.identity, headers: echo.headers }, null, 2) : result.text);
    var id = echo && echo.identity ? echo.identity.customerId : null;
    $("identity").textContent = id === null || id === undefined ? "–" : id;
    if (result.status >= 200 && result.status < 300) {
      outcome("ok", result.status + " — the backend received " + cfg.identityHeader + ": " + id);
    } else {
      outcome("http-error", result.status + " — " + result.text);
    }
  }
})();
</script>
</body>
</html>
`;
