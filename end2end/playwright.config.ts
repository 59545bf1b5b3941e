import { defineConfig, devices } from "@playwright/test";

// The console under test runs beside a KubeSphere simulator (the ks-sim binary, started with it by
// scripts/run-with-sim.sh) on fixed loopback ports, so specs can read what KubeSphere received
// from the simulator's journal (/_sim/journal).
const PORT = Number(process.env.E2E_PORT ?? 3100);
const SIM_PORT = Number(process.env.E2E_SIM_PORT ?? 9190);
export const BASE_URL = `http://127.0.0.1:${PORT}`;
export const SIM_URL = `http://127.0.0.1:${SIM_PORT}`;
// A second console whose simulator behaves like KubeSphere 4.1.2 (plain role names, no hashing).
const OLD_PORT = PORT + 1;
const OLD_SIM_PORT = SIM_PORT + 1;
export const OLD_BASE_URL = `http://127.0.0.1:${OLD_PORT}`;
export const OLD_SIM_URL = `http://127.0.0.1:${OLD_SIM_PORT}`;
// The stand-in for KubeSphere's console (single sign-on), under another host name than the console.
const portalPort = (simPort: number) => simPort + 100;
export const PORTAL_URL = `http://localhost:${portalPort(SIM_PORT)}`;

function console(port: number, simPort: number, ksVersion: string) {
  return {
    command: "../scripts/run-with-sim.sh",
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    env: {
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      KS_SIM_LISTEN: `127.0.0.1:${simPort}`,
      KS_SIM_KS_VERSION: ksVersion,
      KS_SIM_PORTAL_LISTEN: `127.0.0.1:${portalPort(simPort)}`,
      LEPTOS_SITE_ROOT: "target/site", // the script runs from the repository root
      RUST_LOG: "warn",
      // Many logins from one address in a test run: keep the console's own throttle out of the way.
      LOGIN_THROTTLE_MAX_FAILURES: "1000",
    },
  };
}

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // Debian's Chromium, headless, with no attempt to reach the (closed) network.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: BASE_URL,
    trace: "off",
    launchOptions: chromium,
  },
  projects: [
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium } },
    {
      name: "phone",
      use: { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, launchOptions: chromium },
    },
  ],
  webServer: [console(PORT, SIM_PORT, "4.1.3"), console(OLD_PORT, OLD_SIM_PORT, "4.1.2")],
});
