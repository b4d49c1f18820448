import { render } from "preact";
import { App } from "./App";
import { connect } from "./api/client";
import { loadConfig, type AppConfig } from "./config";
import "./styles/app.css";

async function start(): Promise<void> {
  let config: AppConfig | null = null;
  try {
    config = await loadConfig();
  } catch (reason) {
    console.error(reason); // the app says so in words (App), and offers the dev sign-in in dev
  }
  connect(config?.apiUrl ?? "");
  const root = document.getElementById("app");
  if (root) render(<App config={config} />, root);
}

void start();
