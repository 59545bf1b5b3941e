import { test, expect, type Page } from "@playwright/test";
import { BASE_URL, PORTAL_URL, SIM_URL } from "../playwright.config";
import { signIn } from "./helpers";

// Task: people whose KubeSphere login is the company's SSO (an OIDC provider) sign in through
// KubeSphere's console and come back signed in; a helpdesk creates an account for someone before
// their first sign-in, invites them, and their first SSO sign-in lands in that account.

/** At KubeSphere's console (the portal): signs in through the company SSO. */
async function signInAtKubeSphere(page: Page, person: string, password: string) {
  await expect(page).toHaveURL(new RegExp(`^${PORTAL_URL}/login`));
  await page.getByRole("link", { name: "Log In with Company SSO" }).click();
  await page.getByLabel("Username").fill(person);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign In" }).click();
  // KubeSphere's console lands on its own home page after an SSO login (it does not resume).
  await expect(page.getByText(`Signed in to KubeSphere as`)).toBeVisible();
}

/** Presses the console's button; KubeSphere already knows the person, so it comes straight back. */
async function pressSingleSignOn(page: Page) {
  await page.goto(`${BASE_URL}/login`);
  await expect(page.getByText("press the button again")).toBeVisible();
  await page.getByRole("link", { name: "Sign in with Company SSO" }).click();
}

test("an SSO person signs in through KubeSphere's console and back", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Sign in with Company SSO" }).click();
  await signInAtKubeSphere(page, "sam.lee", "Sso-pass-1");
  await pressSingleSignOn(page);
  await expect(page).toHaveURL(`${BASE_URL}/`);
  await expect(page.getByTestId("username")).toHaveText("sam.lee");
  // KubeSphere received one code exchange for the console's callback.
  const journal = await (await page.request.get(`${SIM_URL}/_sim/journal`)).json();
  const exchanges = journal.filter(
    (e: { path: string; body?: { grant_type?: string } }) =>
      e.path === "/oauth/token" && e.body?.grant_type === "authorization_code",
  );
  expect(exchanges.length).toBeGreaterThan(0);
  // No KubeSphere token in the console's cookies: only the opaque session id.
  const cookies = await page.context().cookies(BASE_URL);
  expect(cookies.map((c) => c.name)).toContain("ks-console");
  expect(cookies.map((c) => c.name)).not.toContain("ks-console-sso");
  for (const c of cookies) expect(c.value).not.toMatch(/eyJ/);
  // Signing out offers KubeSphere's sign-out too.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign out of KubeSphere too" })).toBeVisible();
});

test("a person created for their SSO identity is invited before their first sign-in and sees the workspace", async ({
  page,
  browser,
}, info) => {
  // Each browser project has its own SSO person: a linked identity belongs to one account.
  const [username, subject, person, password] =
    info.project.name === "phone"
      ? ["kai-e2e", "5f0c7a1e-0002", "kai.chen", "Sso-pass-2"]
      : ["pat-e2e", "5f0c7a1e-0003", "pat.doe", "Sso-pass-3"];
  // The helpdesk's wizard: the account, linked to their SSO identity, and workspace demo.
  await signIn(page, "admin");
  await page.goto("/onboard");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("E-mail").fill(`${username}@corp.example`);
  await page.getByLabel("Signs in with").selectOption({ label: "Company SSO" });
  await page.getByLabel("Their login name there, or SSO subject").fill(subject);
  await page.getByLabel("Workspace 1", { exact: true }).selectOption("demo");
  await page.getByRole("button", { name: "Review", exact: true }).click();
  await page.getByRole("button", { name: "Apply these 2 changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 of 2 changes made" })).toBeVisible();
  // No password: the account signs in through the SSO only.
  await expect(page.getByLabel(`Initial password of ${username}`)).toHaveCount(0);
  const created = ((await (await page.request.get(`${SIM_URL}/_sim/journal`)).json()) as any[]).find(
    (e) => e.method === "POST" && e.path.endsWith("/users") && e.body?.metadata?.name === username,
  );
  expect(created.body.spec.password).toBeUndefined();
  expect(created.body.metadata.annotations["iam.kubesphere.io/identity-provider.company-sso"]).toBe(subject);

  // Their first sign-in, in a browser of their own.
  const theirs = await (await browser.newContext()).newPage();
  await theirs.goto(`${BASE_URL}/login`);
  await theirs.getByRole("link", { name: "Sign in with Company SSO" }).click();
  await signInAtKubeSphere(theirs, person, password);
  await pressSingleSignOn(theirs);
  await expect(theirs.getByTestId("username")).toHaveText(username);
  await theirs.goto(`${BASE_URL}/workspaces`);
  await expect(theirs.getByRole("link", { name: "demo", exact: true })).toBeVisible();
});
