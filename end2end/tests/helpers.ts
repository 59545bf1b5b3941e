import { expect, type APIRequestContext, type Page } from "@playwright/test";
import { SIM_URL } from "../playwright.config";

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

// KubeSphere itself, as its own admin (the simulator's API): how specs make people and read
// what KubeSphere holds, never through the console.
export async function adminToken(request: APIRequestContext): Promise<string> {
  const res = await request.post(`${SIM_URL}/oauth/token`, {
    form: { grant_type: "password", username: "admin", password: "P@88w0rd", client_id: "kubesphere", client_secret: "kubesphere" },
  });
  return (await res.json()).access_token;
}

// A person with an account and no membership, made in KubeSphere directly (a lead cannot).
export async function newPerson(request: APIRequestContext, name: string) {
  const token = await adminToken(request);
  const res = await request.post(`${SIM_URL}/kapis/iam.kubesphere.io/v1beta1/users`, {
    headers: { authorization: `Bearer ${token}` },
    data: {
      apiVersion: "iam.kubesphere.io/v1beta1",
      kind: "User",
      metadata: { name, annotations: { "iam.kubesphere.io/globalrole": "platform-regular" } },
      spec: { email: `${name}@example.com`, password: "P@88w0rd" },
    },
  });
  expect(res.status()).toBe(200);
}

// The roles `user` holds in a member list of KubeSphere's (`path`), by the list's role annotation.
export async function rolesIn(request: APIRequestContext, path: string, annotation: string, user: string): Promise<string[]> {
  const token = await adminToken(request);
  const res = await request.get(`${SIM_URL}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const items = ((await res.json()).items ?? []) as any[];
  return items.filter((m) => m.metadata.name === user).map((m) => m.metadata.annotations[annotation]);
}
