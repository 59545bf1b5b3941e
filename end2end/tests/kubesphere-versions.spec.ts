import { test, expect, type Page } from "@playwright/test";
import { OLD_BASE_URL } from "../playwright.config";
import { hydrated } from "./helpers";

// Task: a team lead works with a workspace whose name is long (56 characters). KubeSphere 4.1.3
// names its regular role `regular.<hash>`; 4.1.2 names it `<ws>-regular`, too long to grant. The
// console uses whatever name KubeSphere gave the role, and explains what 4.1.2 cannot do.

async function signInAt(page: Page, base: string) {
  await page.goto(`${base}/login`);
  await page.getByLabel("Username or e-mail").fill("admin");
  await page.getByLabel("Password").fill("P@88w0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
}

/** A workspace name of exactly `length` characters, unique to this run and project. */
function longName(length: number, phone: boolean): string {
  const tag = `${phone ? "p" : "d"}${Date.now().toString(36)}`;
  return `${tag}-${"x".repeat(length - tag.length - 1)}`;
}

async function createWorkspace(page: Page, base: string, ws: string) {
  await page.goto(`${base}/workspaces/new`);
  await hydrated(page);
  await page.getByLabel("Workspace name").fill(ws);
  await page.getByRole("checkbox", { name: "host" }).check();
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Workspace ${ws} was created` })).toBeVisible();
}

async function invite(page: Page, base: string, ws: string, user: string) {
  await page.goto(`${base}/workspaces/invite`);
  await hydrated(page);
  await page.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await page.getByLabel("People to invite").fill(user);
  await expect(page.getByLabel("Workspace role")).toHaveValue("regular");
  await page.getByRole("button", { name: "Invite" }).click();
}

test("a 56-character workspace on KubeSphere 4.1.3: invite, change the role, see the member", async ({ page, baseURL }, info) => {
  const base = baseURL!;
  const ws = longName(56, info.project.name === "phone");
  await signInAt(page, base);
  await createWorkspace(page, base, ws);
  await invite(page, base, ws, "frank");
  await expect(page.getByRole("status").filter({ hasText: `Invited frank to workspace ${ws} as regular.` })).toBeVisible();

  await page.goto(`${base}/roles`);
  await hydrated(page);
  const form = page.getByRole("form", { name: "Change workspace role" });
  await form.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await form.getByLabel("Member", { exact: true }).fill("frank");
  await form.getByLabel("New workspace role").selectOption("viewer");
  await form.getByRole("button", { name: "Change workspace role" }).click();
  await expect(page.getByRole("status").filter({ hasText: `frank now has the role ${ws}-viewer` })).toBeVisible();

  await page.goto(`${base}/workspaces/${ws}`);
  const frank = page.getByRole("row").filter({ has: page.getByRole("link", { name: "frank" }) });
  await expect(frank).toContainText(`${ws}-viewer`);
});

test("on KubeSphere 4.1.2: 55 characters work, 56 are explained before anything is sent", async ({ page }, info) => {
  const phone = info.project.name === "phone";
  await signInAt(page, OLD_BASE_URL);
  const fits = longName(55, phone);
  await createWorkspace(page, OLD_BASE_URL, fits);
  await invite(page, OLD_BASE_URL, fits, "frank");
  await expect(page.getByRole("status").filter({ hasText: `Invited frank to workspace ${fits} as ${fits}-regular.` })).toBeVisible();

  const long = longName(56, phone);
  await createWorkspace(page, OLD_BASE_URL, long);
  await invite(page, OLD_BASE_URL, long, "frank");
  await expect(page.getByText("its name is longer than 55 characters")).toBeVisible();
  await expect(page.getByText("KubeSphere 4.1.3 and later can")).toBeVisible();
});
