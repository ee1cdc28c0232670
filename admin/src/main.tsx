// Entry point: read /admin/config.js, then render the page (or say what is wrong with the config).

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App.tsx";
import { readConfig } from "./app/page_config.ts";
import "./styles.css";

const rootElement = document.getElementById("root");
if (!rootElement) {
  throw new Error("index.html: no element with id=root to render into");
}
const root = createRoot(rootElement);
const cfg = readConfig();
root.render(
  <StrictMode>
    {cfg.ok ? <App config={cfg.config} /> : (
      <main className="panel" role="alert">
        <h1>The admin page is not configured</h1>
        <ul>{cfg.problems.map((p) => <li key={p}>{p}</li>)}</ul>
      </main>
    )}
  </StrictMode>,
);
