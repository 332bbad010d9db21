// GraphiQL for support staff: a sign-in box whose token goes with every
// request (kept in this tab's sessionStorage only), and the contract's
// support operations as example tabs.
(function () {
  "use strict";

  var TOKEN_KEY = "commerce.token";
  var EMAIL_KEY = "commerce.email";
  var ENDPOINT = "/graphql";

  var form = document.getElementById("signin-form");
  var signedIn = document.getElementById("signed-in");
  var signedInEmail = document.getElementById("signed-in-email");
  var status = document.getElementById("signin-status");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  var tabs = JSON.parse(document.getElementById("example-tabs").textContent);

  function token() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  function say(message, kind) {
    status.textContent = message;
    status.className = "status " + (kind || "");
  }

  function post(body, extraHeaders) {
    var headers = { "Content-Type": "application/json", Accept: "application/json" };
    var current = token();
    if (current) headers.Authorization = "Bearer " + current;
    Object.keys(extraHeaders || {}).forEach(function (name) {
      // A header typed in the headers pane wins over the signed-in token.
      if (name.toLowerCase() === "authorization") delete headers.Authorization;
      headers[name] = extraHeaders[name];
    });
    return fetch(ENDPOINT, {
      method: "POST",
      headers: headers,
      body: JSON.stringify(body),
      credentials: "omit",
    }).then(function (response) {
      return response.json();
    });
  }

  function fetcher(params, options) {
    return post(params, options && options.headers);
  }

  function render() {
    // A new key per token makes GraphiQL fetch the schema again as the new viewer.
    root.render(
      React.createElement(GraphiQL, {
        key: token() || "anonymous",
        fetcher: fetcher,
        defaultTabs: tabs,
        // Queries and variables may name customers: keep them in this tab, not in localStorage.
        storage: window.sessionStorage,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: "variables",
        isHeadersEditorEnabled: true,
      })
    );
  }

  function showSignedIn() {
    var email = window.sessionStorage.getItem(EMAIL_KEY);
    form.hidden = Boolean(email);
    signedIn.hidden = !email;
    signedInEmail.textContent = email || "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = document.getElementById("signin-email").value;
    var password = document.getElementById("signin-password").value;
    say("Signing in…");
    window.sessionStorage.removeItem(TOKEN_KEY);
    post({
      query:
        "mutation SignIn($email: String!, $password: String!) { login(email: $email, password: $password) { token user { email } errors { code message } } }",
      variables: { email: email, password: password },
      operationName: "SignIn",
    })
      .then(function (result) {
        var payload = result.data && result.data.login;
        if (!payload || !payload.token) {
          var errors = (payload && payload.errors) || result.errors || [];
          say(errors.length ? errors[0].message : "Sign-in failed.", "error");
          return;
        }
        window.sessionStorage.setItem(TOKEN_KEY, payload.token);
        window.sessionStorage.setItem(EMAIL_KEY, payload.user.email);
        document.getElementById("signin-password").value = "";
        say("");
        showSignedIn();
        render();
      })
      .catch(function (error) {
        say("The server did not answer: " + error, "error");
      });
  });

  document.getElementById("signout-button").addEventListener("click", function () {
    var done = function () {
      window.sessionStorage.removeItem(TOKEN_KEY);
      window.sessionStorage.removeItem(EMAIL_KEY);
      showSignedIn();
      say("Signed out.", "ok");
      render();
    };
    post({ query: "mutation SignOut { logout { ok } }", operationName: "SignOut" }).then(done, done);
  });

  showSignedIn();
  render();
})();
