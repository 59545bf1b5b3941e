import { test, expect } from "@playwright/test";

// Task: people whose KubeSphere login is the company directory (LDAP, through KubeSphere) sign in
// by choosing it; a first sign-in under manual mapping asks them to choose their username.

test("a directory person signs in by choosing the company directory", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Sign in with").selectOption({ label: "Corporate Directory" });
  await page.getByLabel("Username or e-mail").fill("li.wei");
  await page.getByLabel("Password").fill("Directory-pass-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("username")).toHaveText("li.wei");
  // Hidden and disabled directories are not offered.
  await page.getByRole("button", { name: "Sign out" }).click();
  // (Waits for the sign-in page: the sign-out navigates.)
  await expect(page.getByLabel("Sign in with").locator("option")).toHaveText([
    "KubeSphere account",
    "Corporate Directory",
    "Partner Directory",
  ]);
});

test("a first directory sign-in confirms a username, then is signed in as the new user", async ({ page }, info) => {
  // Each browser project has its own directory person: a confirmed person is linked for good.
  const [login, password, chosen] =
    info.project.name === "phone"
      ? ["noor@partner.example", "Partner-pass-2", "noor-e2e"]
      : ["jo.kim", "Partner-pass-1", "jo-kim-e2e"];
  await page.goto("/login");
  await page.getByLabel("Sign in with").selectOption({ label: "Partner Directory" });
  await page.getByLabel("Username or e-mail").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/login\/confirm$/);
  await expect(page.getByRole("heading", { name: "Choose your KubeSphere username" })).toBeVisible();
  await page.getByLabel("KubeSphere username").fill(chosen);
  await page.getByRole("button", { name: "Create my account and continue" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("username")).toHaveText(chosen);
});
