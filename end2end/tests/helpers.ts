import { expect, type Page } from "@playwright/test";

// Shared steps of the specs: every demo account's password is P@88w0rd.

export async function signIn(page: Page, username: string) {
  await page.goto("/login");
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill("P@88w0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

// Every island of the page (people found as you type, fields that follow a workspace, a bulk
// job's live bar) is interactive: each island counts itself on <html> once hydrated, and the
// last one sets data-hydrated. A page without islands loads no WASM and has nothing to wait for.
export async function hydrated(page: Page) {
  if ((await page.locator("leptos-island").count()) === 0) return;
  await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
}
