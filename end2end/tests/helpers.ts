import { expect, type Page } from "@playwright/test";

// Shared steps of the specs: every demo account's password is P@88w0rd.

export async function signIn(page: Page, username: string) {
  await page.goto("/login");
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill("P@88w0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

// The WASM has taken over the page (the app marks <html> once hydration is done).
export async function hydrated(page: Page) {
  await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
}
