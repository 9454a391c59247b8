// Renders /openapi.json: one collapsible entry per operation, with its parameters, request body
// (component references resolved one level deep) and responses. No framework, nothing fetched elsewhere.
"use strict";

function element(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

function resolved(doc, schema, depth) {
  if (!schema || typeof schema !== "object" || depth > 3) return schema;
  if (typeof schema.$ref === "string" && schema.$ref.startsWith("#/components/schemas/")) {
    const name = schema.$ref.slice("#/components/schemas/".length);
    return { title: name, ...resolved(doc, doc.components.schemas[name], depth + 1) };
  }
  if (Array.isArray(schema)) return schema.map((item) => resolved(doc, item, depth));
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, resolved(doc, v, depth + 1)]));
}

function section(title, value) {
  return [element("h3", {}, title), element("pre", {}, JSON.stringify(value, null, 2))];
}

function operation(doc, path, method, op) {
  const body = element("div", { class: "body" });
  if (op.security && op.security.length) body.append(...section("Authentication", op.security.map(Object.keys).flat()));
  if (op.parameters) body.append(...section("Parameters", op.parameters));
  for (const [type, media] of Object.entries((op.requestBody || {}).content || {})) {
    body.append(...section(`Request body (${type})`, resolved(doc, media.schema, 0)));
  }
  body.append(...section("Responses", Object.fromEntries(Object.entries(op.responses || {})
    .map(([status, answer]) => [status, answer.description]))));
  return element("details", { "data-path": path },
    element("summary", {}, element("span", { class: `method ${method}` }, method.toUpperCase()), path,
      element("span", { class: "summary" }, op.summary || "")),
    body);
}

async function render() {
  const main = document.getElementById("operations");
  const doc = await (await fetch("/openapi.json")).json();
  main.replaceChildren();
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(operations)) main.append(operation(doc, path, method, op));
  }
  document.getElementById("filter").addEventListener("input", (event) => {
    const wanted = event.target.value.toLowerCase();
    for (const entry of main.children) entry.hidden = !entry.dataset.path.toLowerCase().includes(wanted);
  });
}

render().catch((error) => {
  document.getElementById("operations").textContent = `The document could not be read: ${error}`;
});
