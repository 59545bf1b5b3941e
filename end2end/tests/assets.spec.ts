import { test, expect } from "@playwright/test";
import * as http from "node:http";
import { BASE_URL } from "../playwright.config";
import { signIn } from "./helpers";

// Task: a phone on a slow network downloads the console's code once, compressed, and keeps it.
// Node's http client is used so the bytes on the wire are seen as sent (no decompression).

type Raw = { status: number; headers: http.IncomingHttpHeaders; bytes: number };

function get(path: string, acceptEncoding?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = acceptEncoding ? { "accept-encoding": acceptEncoding } : {};
    http
      .get(`${BASE_URL}${path}`, { headers }, (res) => {
        let bytes = 0;
        res.on("data", (chunk: Buffer) => (bytes += chunk.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      })
      .on("error", reject);
  });
}

test("the WASM, JS and CSS are served compressed, under hashed names, cached for a year", async ({ page }) => {
  test.skip(test.info().project.name !== "desktop", "what is served does not depend on the screen");
  await signIn(page, "admin"); // the home page, whose live search is an island
  const html = await page.content();
  const assets = [...html.matchAll(/(?:href|src)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  const kinds = new Set(assets.map((a) => a.split(".").pop()));
  expect([...kinds].sort()).toEqual(["css", "js", "wasm"]);

  let code = 0;
  for (const asset of new Set(assets)) {
    expect(asset, "named by its content").toMatch(/\/pkg\/ks-console\.[A-Za-z0-9_-]{8,}\.(js|wasm|css)$/);
    const plain = await get(asset);
    const compressed = await get(asset, "br, gzip");
    expect(plain.status, asset).toBe(200);
    expect(compressed.status, asset).toBe(200);
    expect(compressed.headers["content-encoding"], asset).toBe("br");
    expect(compressed.headers["cache-control"], asset).toBe("public, max-age=31536000, immutable");
    expect(compressed.bytes, `${asset}: ${compressed.bytes} of ${plain.bytes} bytes`).toBeLessThan(plain.bytes / 2);
    const gzip = await get(asset, "gzip");
    expect(gzip.headers["content-encoding"], asset).toBe("gzip");
    if (/\.(wasm|js)$/.test(asset)) code += gzip.bytes;
  }
  // The budget for a phone (issue 13): all the code of a page with islands, gzipped.
  expect(code, `WASM + JS: ${code} bytes gzipped`).toBeLessThanOrEqual(150_000);

  // The page itself is personal or sets the session: never kept.
  const login = await get("/login", "br, gzip");
  expect(login.headers["cache-control"]).toBe("no-store");
});

test("signing in, looking people and places up and onboarding download no code: those pages are complete as HTML", async ({ page }) => {
  const code: string[] = [];
  page.on("request", (r) => {
    if (/\.(wasm|js)$/.test(new URL(r.url()).pathname)) code.push(r.url());
  });
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  expect(code).toEqual([]);
  await signIn(page, "admin");
  code.length = 0; // the home page's live search is an island
  for (const path of ["/users/bob", "/workspaces/demo", "/projects/host/demo-web", "/workspaces", "/users?q=bo", "/activity", "/users/new", "/onboard", "/onboard/bulk"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  }
  expect(code).toEqual([]);
  // A page with a form loads it.
  await page.goto("/workspaces/invite");
  await page.waitForLoadState("networkidle");
  expect(code.some((url) => url.endsWith(".wasm"))).toBe(true);
});
