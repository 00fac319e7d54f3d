// Renders /openapi/v1.json as a reference page. Only text nodes are created from the document,
// so nothing in it is interpreted as HTML.
"use strict";

const el = (tag, attributes, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
};

const resolve = (spec, schema) => {
  let current = schema;
  for (let depth = 0; current && current.$ref && depth < 10; depth++) {
    const parts = current.$ref.replace(/^#\//, "").split("/");
    current = parts.reduce((node, part) => (node ? node[part] : undefined), spec);
  }
  return current || {};
};

// A compact, readable outline of a schema: types, properties and alternatives.
const outline = (spec, schema, depth) => {
  const resolved = resolve(spec, schema);
  if (depth > 4) {
    return "…";
  }
  if (resolved.oneOf || resolved.anyOf) {
    return (resolved.oneOf || resolved.anyOf).map((item) => outline(spec, item, depth + 1)).join("\n  or\n");
  }
  const type = Array.isArray(resolved.type) ? resolved.type.join(" | ") : resolved.type || "any";
  if (resolved.properties) {
    const pad = "  ".repeat(depth + 1);
    const fields = Object.entries(resolved.properties)
      .map(([name, value]) => `${pad}${JSON.stringify(name)}: ${outline(spec, value, depth + 1)}`);
    return `{\n${fields.join(",\n")}\n${"  ".repeat(depth)}}`;
  }
  if (resolved.items) {
    return `[ ${outline(spec, resolved.items, depth + 1)} ]`;
  }
  if (resolved.enum) {
    return resolved.enum.map((value) => JSON.stringify(value)).join(" | ");
  }
  return type;
};

const renderParameters = (spec, operation) => {
  const parameters = (operation.parameters || []).map((parameter) => resolve(spec, parameter));
  if (parameters.length === 0) {
    return null;
  }
  const rows = parameters.map((parameter) => el("tr", null,
    el("td", null, el("code", null, parameter.name)),
    el("td", null, parameter.in || ""),
    el("td", null, parameter.description || "")));
  return el("div", null, el("h4", null, "Parameters"),
    el("table", null, el("thead", null, el("tr", null, el("th", null, "name"), el("th", null, "in"), el("th", null, "meaning"))), el("tbody", null, ...rows)));
};

const renderContent = (spec, content) => Object.entries(content || {}).map(([type, media]) =>
  el("div", null, el("span", { class: "muted" }, type), media.schema ? el("pre", null, outline(spec, media.schema, 0)) : null));

const renderBody = (spec, operation) => {
  const body = operation.requestBody && resolve(spec, operation.requestBody);
  if (!body) {
    return null;
  }
  return el("div", null, el("h4", null, "Request body"), el("p", null, body.description || ""), ...renderContent(spec, body.content));
};

const renderResponses = (spec, operation) => {
  const rows = Object.entries(operation.responses || {}).map(([code, response]) => {
    const resolved = resolve(spec, response);
    const headers = Object.keys(resolved.headers || {});
    return el("tr", null,
      el("td", null, el("code", null, code)),
      el("td", null, resolved.description || "", headers.length ? el("div", { class: "muted" }, `headers: ${headers.join(", ")}`) : null, ...renderContent(spec, resolved.content)));
  });
  return el("div", null, el("h4", null, "Responses"), el("table", null, el("tbody", null, ...rows)));
};

const render = (spec) => {
  document.getElementById("title").textContent = `${spec.info.title} API reference (${spec.info.version})`;
  const description = document.getElementById("description");
  description.textContent = `${spec.info.description || ""} `;
  description.append(el("a", { href: "/openapi/v1.json" }, "OpenAPI document"));
  const main = document.getElementById("operations");
  main.replaceChildren();
  const toc = el("ul");
  const paths = Object.keys(spec.paths).sort();
  for (const path of paths) {
    for (const [method, operation] of Object.entries(spec.paths[path])) {
      if (typeof operation !== "object" || !operation.responses) {
        continue;
      }
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, "-");
      toc.append(el("li", null, el("a", { href: `#${id}` }, el("span", { class: `method ${method}` }, method), " ", path)));
      main.append(el("section", { class: "operation", id },
        el("h3", null, el("span", { class: `method ${method}` }, method), " ", el("span", { class: "path" }, path)),
        el("p", null, operation.summary || ""),
        operation.description ? el("p", { class: "muted" }, operation.description) : null,
        operation.security ? el("p", null, "Authentication: HTTP Basic.") : null,
        renderParameters(spec, operation),
        renderBody(spec, operation),
        renderResponses(spec, operation)));
    }
  }
  document.getElementById("toc").replaceChildren(toc);
};

fetch("/openapi/v1.json", { credentials: "omit" })
  .then((response) => {
    if (!response.ok) {
      throw new Error(`HTTP ${response.status}`);
    }
    return response.json();
  })
  .then(render)
  .catch((error) => {
    document.getElementById("operations").replaceChildren(el("p", null, `Could not load /openapi/v1.json: ${error.message}`));
  });
