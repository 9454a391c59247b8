// The Tollway console's only script: passkey ceremonies, the JSON API calls behind each button, and
// the playground. No framework, no CDN; everything it puts on the page goes in as text (textContent),
// never as markup.
"use strict";

(() => {
  const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content || "";
  const base = meta("console-base");              // "/console", or "/prod/console" behind a stage
  const root = base.slice(0, -"/console".length);  // where /v1 lives
  const csrf = meta("csrf-token");
  const SECRETS = "tollway.secrets";               // key id → secret, for the playground (this tab only)

  // -- Small helpers -------------------------------------------------------------------------------

  const flash = (message, kind = "error") => {
    const box = document.querySelector(".flash");
    if (!box) return;
    box.textContent = message;
    box.dataset.kind = kind;
    box.hidden = !message;
  };

  async function api(method, path, body) {
    const headers = { "X-CSRF-Token": csrf };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${base}/api${path}`, {
      method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = new Error(data?.error?.message || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  const guarded = (fn) => async (event) => {
    event?.preventDefault?.();
    flash("");
    try { await fn(event); } catch (error) { flash(error.message || String(error)); }
  };

  const secrets = () => JSON.parse(sessionStorage.getItem(SECRETS) || "{}");
  const keepSecret = (id, secret) => sessionStorage.setItem(SECRETS, JSON.stringify({ ...secrets(), [id]: secret }));

  const termsOf = (form) => {
    const data = new FormData(form);
    const terms = { scopes: data.getAll("scopes"), rpm: Number(data.get("rpm")) };
    const cap = String(data.get("cap") || "").trim();
    if (cap) terms.cap = cap;
    return terms;
  };

  // -- WebAuthn: JSON options in, JSON credential out ------------------------------------------------

  const fromB64url = (text) => {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const toB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

  function creationOptions(json) {
    if (window.PublicKeyCredential?.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    return { ...json, challenge: fromB64url(json.challenge), user: { ...json.user, id: fromB64url(json.user.id) },
      excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })) };
  }

  function requestOptions(json) {
    if (window.PublicKeyCredential?.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    return { ...json, challenge: fromB64url(json.challenge),
      allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })) };
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") return credential.toJSON();
    const r = credential.response;
    const response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toB64url(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toB64url(r.authenticatorData);
      response.signature = toB64url(r.signature);
      if (r.userHandle) response.userHandle = toB64url(r.userHandle);
    }
    return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response,
      authenticatorAttachment: credential.authenticatorAttachment, clientExtensionResults: credential.getClientExtensionResults() };
  }

  async function createPasskey(options) {
    const credential = await navigator.credentials.create({ publicKey: creationOptions(options.publicKey) });
    return credentialJSON(credential);
  }

  const nextPage = (fallback) => {
    const next = new URLSearchParams(location.search).get("next") || "";
    return next.startsWith(`${base}/`) && !next.startsWith("//") && !next.includes("\\") ? next : fallback;
  };

  // -- Actions -------------------------------------------------------------------------------------

  const actions = {
    "sign-in": async () => {
      const options = await api("POST", "/sign-in/options", {});
      const credential = await navigator.credentials.get({ publicKey: requestOptions(options.publicKey) });
      const done = await api("POST", "/sign-in/verify", { ceremony: options.ceremony, credential: credentialJSON(credential) });
      location.assign(nextPage(done.redirect));
    },
    "sign-out": async () => {
      sessionStorage.removeItem(SECRETS);
      location.assign((await api("POST", "/sign-out")).redirect);
    },
    "sign-out-all": async () => {
      sessionStorage.removeItem(SECRETS);
      location.assign((await api("POST", "/sessions/revoke-all")).redirect);
    },
    "revoke-session": async (event) => {
      await api("DELETE", `/sessions/${encodeURIComponent(event.target.dataset.sessionId)}`);
      location.reload();
    },
    "remove-passkey": async (event) => {
      await api("DELETE", `/passkeys/${encodeURIComponent(event.target.dataset.credentialId)}`);
      location.reload();
    },
    "revoke-key": async (event) => {
      const id = event.target.dataset.keyId;
      await api("DELETE", `/keys/${encodeURIComponent(id)}`);
      const row = event.target.closest("tr");
      row.classList.add("revoked");
      event.target.replaceWith(document.createTextNode("revoked"));
    },
    "cancel-operation": async (event) => {
      await api("POST", `/operations/${encodeURIComponent(event.target.dataset.operationId)}/cancel`);
      location.reload();
    },
    "withdraw-code": async (event) => {
      const box = event.target.closest(".secret");
      await api("DELETE", `/device-codes/${encodeURIComponent(box.dataset.code)}`);
      box.hidden = true;
      flash("Code withdrawn.", "info");
    },
    "deny-device": async (event) => {
      const form = event.target.closest("form");
      const code = new FormData(form).get("code");
      await api("POST", "/device/approve", { code, approve: false, ...termsOf(form) });
      flash("Denied: the device gets no key.", "info");
    },
    "copy": async (event) => {
      const text = document.querySelector(event.target.dataset.copyFrom)?.textContent || "";
      await navigator.clipboard?.writeText(text).catch(() => {});
    },
    "add-message": (event) => {
      const list = document.querySelector("[data-part=messages]");
      const first = list.querySelector(".message");
      const copy = first.cloneNode(true);
      copy.querySelector("textarea").value = "";
      list.insertBefore(copy, event.target);
    },
    "copy-curl": () => showSnippet(curlOf(playgroundRequest())),
    "copy-python": () => showSnippet(pythonOf(playgroundRequest())),
  };

  const forms = {
    "sign-up": async (form) => {
      const data = new FormData(form);
      const started = await api("POST", "/sign-up/options", { name: data.get("name"), invite: data.get("invite") || "" });
      const credential = await createPasskey(started);
      const done = await api("POST", "/sign-up/verify", {
        ceremony: started.ceremony, credential, passkey_name: data.get("passkey_name") || "" });
      location.assign(done.redirect);
    },
    "add-passkey": async (form) => {
      const started = await api("POST", "/passkeys/options");
      const credential = await createPasskey(started);
      await api("POST", "/passkeys", { ceremony: started.ceremony, credential,
        passkey_name: new FormData(form).get("passkey_name") || "" });
      location.reload();
    },
    "create-key": async (form) => {
      const created = await api("POST", "/keys", { name: new FormData(form).get("name"), ...termsOf(form) });
      keepSecret(created.id, created.key);
      const box = document.querySelector("[data-testid=new-key]");
      box.querySelector(".secret-value").textContent = created.key;
      box.hidden = false;
      addKeyRow(created);
      form.reset();
    },
    "device-code": async (form) => {
      const made = await api("POST", "/device-codes", termsOf(form));
      const box = document.querySelector("[data-testid=device-code]");
      box.dataset.code = made.code;
      box.querySelector(".command").textContent = made.command;
      box.querySelector(".expires").textContent = new Date(made.expires_at).toLocaleTimeString();
      box.hidden = false;
    },
    "approve-device": async (form) => {
      const approved = await api("POST", "/device/approve", { code: new FormData(form).get("code"), ...termsOf(form) });
      flash(`Approved: ${approved.device} now has its own key.`, "info");
      form.reset();
    },
    "playground": async () => sendPlayground(),
  };

  function addKeyRow(key) {
    const body = document.querySelector("[data-testid=keys] tbody");
    body.querySelector("tr.empty")?.remove();
    const row = document.createElement("tr");
    row.dataset.keyId = key.id;
    const cells = [key.name, key.prefix, key.scopes.join(", "), `${key.rpm}/min`,
      key.cap === null ? "—" : `${key.spent} / ${key.cap}`, key.created_at.replace("T", " ").slice(0, 16) + " UTC"];
    cells.forEach((text, i) => {
      const cell = document.createElement("td");
      if (i === 1) { const code = document.createElement("code"); code.textContent = text; cell.append(code); }
      else cell.textContent = text;
      if (i === 0) cell.className = "key-name";
      row.append(cell);
    });
    const action = document.createElement("td");
    const button = document.createElement("button");
    Object.assign(button, { type: "button", className: "danger small", textContent: "Revoke" });
    button.dataset.action = "revoke-key";
    button.dataset.keyId = key.id;
    action.append(button);
    row.append(action);
    body.prepend(row);
  }

  // -- Playground ----------------------------------------------------------------------------------

  const playground = () => document.querySelector("[data-form=playground]");

  function syncPlayground() {
    const form = playground();
    if (!form) return;
    const route = form.route.selectedOptions[0];
    const chat = route.value === "/v1/chat/completions";
    form.querySelector("[data-part=messages]").hidden = !chat;
    const raw = form.querySelector("[data-part=raw]");
    raw.hidden = chat || route.dataset.method === "GET";
    if (!chat && !raw.dataset.touched) form.body.value = route.dataset.body || "";
    form.model.disabled = !route.dataset.kind;
    const keyId = form.key_id.value;
    form.querySelector(".secret-input").hidden = !keyId || Boolean(secrets()[keyId]);
  }

  function playgroundRequest() {
    const form = playground();
    const route = form.route.selectedOptions[0];
    const method = route.dataset.method;
    let body;
    if (route.value === "/v1/chat/completions") {
      const messages = [...form.querySelectorAll(".message")].map((m) => ({
        role: m.querySelector("select").value, content: m.querySelector("textarea").value }))
        .filter((m) => m.content.trim());
      body = { model: form.model.value, messages };
      if (form.stream.checked) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
    } else if (method === "POST") {
      try { body = JSON.parse(form.body.value || "{}"); } catch (error) { throw new Error(`The body is not JSON: ${error.message}`); }
      if (route.dataset.kind && body && typeof body === "object") body.model = form.model.value;
      if (route.value === "/v1/messages" && form.stream.checked) body.stream = true;
    }
    return { method, path: route.value, url: `${location.origin}${root}${route.value}`, body };
  }

  function showSnippet(text) {
    const pre = document.querySelector("[data-testid=snippet]");
    pre.textContent = text;
    pre.hidden = false;
    navigator.clipboard?.writeText(text).catch(() => {});
  }

  const curlOf = (req) => {
    const lines = [`curl ${req.method === "GET" ? "" : `-X ${req.method} `}'${req.url}'`,
      `  -H "Authorization: Bearer $TOLLWAY_API_KEY"`];
    if (req.body !== undefined) {
      lines.push(`  -H 'Content-Type: application/json'`);
      lines.push(`  -d '${JSON.stringify(req.body).replace(/'/g, "'\\''")}'`);
    }
    return lines.join(" \\\n");
  };

  const pythonOf = (req) => {
    if (req.path === "/v1/chat/completions") {
      const stream = Boolean(req.body.stream);
      return [
        "import json, os", "from openai import OpenAI", "",
        `client = OpenAI(base_url=${JSON.stringify(req.url.replace(/\/chat\/completions$/, ""))}, api_key=os.environ["TOLLWAY_API_KEY"])`,
        `body = json.loads(${JSON.stringify(JSON.stringify(req.body))})`,
        stream ? "for chunk in client.chat.completions.create(**body):\n    if chunk.choices:\n        print(chunk.choices[0].delta.content or \"\", end=\"\", flush=True)"
          : "print(client.chat.completions.create(**body).choices[0].message.content)",
      ].join("\n");
    }
    const call = req.body === undefined ? "" : `, json=json.loads(${JSON.stringify(JSON.stringify(req.body))})`;
    return ["import json, os", "import httpx", "",
      `response = httpx.request(${JSON.stringify(req.method)}, ${JSON.stringify(req.url)}, headers={"Authorization": f"Bearer {os.environ['TOLLWAY_API_KEY']}"}${call}, timeout=120)`,
      "print(response.status_code, response.text[:2000])"].join("\n");
  };

  function secretFor(form) {
    const keyId = form.key_id.value;
    if (!keyId) throw new Error("Pick a key (or create one on the Keys page)");
    const known = secrets()[keyId];
    if (known) return known;
    const typed = form.secret.value.trim();
    if (!typed.startsWith(`sk-tw-${keyId}`)) throw new Error("Paste the secret of the key you picked (it starts with its prefix)");
    keepSecret(keyId, typed);
    return typed;
  }

  async function sendPlayground() {
    const form = playground();
    const secret = secretFor(form);
    const req = playgroundRequest();
    const panel = document.querySelector("[data-testid=result]");
    const answer = panel.querySelector(".answer");
    const raw = panel.querySelector(".raw");
    const headerRows = panel.querySelector(".headers tbody");
    [answer, raw, headerRows].forEach((el) => { el.textContent = ""; });
    delete answer.dataset.cost;
    panel.querySelector(".status-code").textContent = "…";
    panel.hidden = false;
    const started = performance.now();
    const headers = { Authorization: `Bearer ${secret}` };
    if (req.body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(`${root}${req.path}`, { method: req.method, headers, credentials: "omit",
      body: req.body === undefined ? undefined : JSON.stringify(req.body) });
    panel.querySelector(".status-code").textContent = `${response.status} ${response.statusText}`;
    for (const [name, value] of response.headers) {
      const row = document.createElement("tr");
      const n = document.createElement("th"); n.textContent = name;
      const v = document.createElement("td"); v.textContent = value;
      if (name.startsWith("x-")) row.className = "gateway";
      row.append(n, v);
      headerRows.append(row);
    }
    const type = response.headers.get("content-type") || "";
    if (type.startsWith("text/event-stream")) await readStream(response, answer, raw);
    else if (type.includes("json") || type.startsWith("text/")) {
      const text = await response.text();
      raw.textContent = text;
      answer.textContent = summarize(text);
    } else {
      const blob = await response.blob();
      raw.textContent = `${blob.size} bytes of ${type}`;
      if (type.startsWith("audio/")) {
        const player = document.createElement("audio");
        player.controls = true;
        player.src = URL.createObjectURL(blob);
        answer.append(player);
      }
    }
    const cost = answer.dataset.cost ?? response.headers.get("x-credits-used");
    panel.querySelector(".elapsed").textContent =
      `${Math.round(performance.now() - started)} ms${cost != null ? ` · ${cost} credits` : ""}`;
  }

  function summarize(text) {
    try {
      const data = JSON.parse(text);
      if (data.error) return `Error: ${data.error.message || JSON.stringify(data.error)}`;
      if (data.choices) return data.choices.map((c) => c.message?.content ?? "").join("\n");
      if (Array.isArray(data.content)) return data.content.map((b) => b.text ?? "").join("");
      if (data.object === "operation") return `Operation ${data.id}: ${data.status} (see Operations)`;
      return JSON.stringify(data, null, 2).slice(0, 4000);
    } catch { return text.slice(0, 4000); }
  }

  async function readStream(response, answer, raw) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const text = decoder.decode(value, { stream: true });
      raw.textContent += text;
      pending += text;
      const events = pending.split("\n\n");
      pending = events.pop();
      for (const event of events) {
        for (const line of event.split("\n")) {
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (!data || data === "[DONE]") continue;
          try {
            const chunk = JSON.parse(data);
            const piece = chunk.choices?.[0]?.delta?.content ?? chunk.delta?.text ?? "";
            if (piece) answer.textContent += piece;
            if (chunk.usage?.cost !== undefined) answer.dataset.cost = chunk.usage.cost;
            if (chunk.error) answer.textContent += `\n[error: ${chunk.error.message}]`;
          } catch { /* a partial or foreign event: the raw view shows it */ }
        }
      }
    }
  }

  // -- Wiring --------------------------------------------------------------------------------------

  document.addEventListener("click", (event) => {
    const name = event.target.closest("[data-action]")?.dataset.action;
    if (name && actions[name]) guarded(actions[name])(event);
  });
  document.addEventListener("submit", (event) => {
    const name = event.target.dataset.form;
    if (name && forms[name]) guarded(() => forms[name](event.target))(event);
  });
  document.addEventListener("change", (event) => {
    if (!event.target.closest("[data-form=playground]")) return;
    if (event.target.name === "route") delete playground().querySelector("[data-part=raw]").dataset.touched;
    syncPlayground();
  });
  document.addEventListener("input", (event) => {
    if (event.target.name === "body") event.target.closest("label").dataset.touched = "1";
  });
  syncPlayground();
})();
