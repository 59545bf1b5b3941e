import { test, expect, type Page } from "@playwright/test";

// Task: a person signs in with their KubeSphere account, sees who they are, and signs out.

async function signIn(page: Page, username: string, password: string) {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=/);
  await page.getByLabel("Username or e-mail").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Resolves once the WASM has hydrated the page (the hydrate entry runs after the JS loads). */
async function waitForHydration(page: Page) {
  await page.locator("html[data-hydrated=true]").waitFor({ state: "attached" });
}

test("sign in, see name and platform role after hydration, sign out", async ({ page }) => {
  const cspViolations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) cspViolations.push(msg.text());
  });

  await signIn(page, "admin", "P@88w0rd");
  await expect(page).toHaveURL(/\/$/);
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Welcome, Administrator");
  await expect(page.getByTestId("username")).toHaveText("admin");
  await expect(page.getByTestId("platform-role")).toHaveText("platform-admin");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login\?reason=signed_out/);
  await expect(page.getByText("You have signed out.")).toBeVisible();

  // The old session is gone: the home page asks to sign in again.
  await page.goto("/");
  await expect(page).toHaveURL(/\/login\?next=/);
  expect(cspViolations).toEqual([]);
});

test("signing in by e-mail shows the account's username", async ({ page }) => {
  await signIn(page, "bob@example.com", "P@88w0rd");
  await expect(page.getByTestId("username")).toHaveText("bob");
  await expect(page.getByTestId("platform-role")).toHaveText("platform-regular");
});

test("a wrong password shows the generic message and keeps the username", async ({ page }) => {
  await signIn(page, "alice", "wrong-password");
  await expect(page.getByRole("alert")).toHaveText("Incorrect username or password.");
  await expect(page.getByLabel("Username or e-mail")).toHaveValue("alice");
  await expect(page.getByLabel("Password")).toHaveValue("");
});

test("a suspended account gets the same generic message", async ({ page }) => {
  await signIn(page, "erin", "P@88w0rd");
  await expect(page.getByRole("alert")).toHaveText("Incorrect username or password.");
});

test("after signing in, the user returns to the page they asked for", async ({ page }) => {
  await page.goto("/?from=link");
  await expect(page).toHaveURL(/next=/);
  await page.getByLabel("Username or e-mail").fill("carol");
  await page.getByLabel("Password").fill("P@88w0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/\?from=link$/);
  await expect(page.getByTestId("username")).toHaveText("carol");
});
