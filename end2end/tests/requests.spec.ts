import { test, expect, type APIRequestContext } from "@playwright/test";
import { newPerson, rolesIn, signIn } from "./helpers";

// Task: someone who belongs nowhere opens demo's join link (on a desktop and on a 360 px phone),
// signs in, and asks to join as a viewer; nothing reaches KubeSphere until the team lead `lead`
// approves it from their inbox. What KubeSphere holds afterwards is read from KubeSphere itself.

const demoMembers = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
const demoRoles = (request: APIRequestContext, user: string) =>
  rolesIn(request, demoMembers, "iam.kubesphere.io/workspacerole", user);

test("a join link leads to a request the workspace's admin approves from their inbox", async ({ page, request }, info) => {
  const user = `jr-${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
  await newPerson(request, user);

  // Signed out, the link asks them to sign in first, then opens the prefilled request.
  await page.goto("/join/demo?role=viewer");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel("Username or e-mail").fill(user);
  await page.getByLabel("Password").fill("P@88w0rd");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/join\/demo\?role=viewer/);
  await expect(page.getByLabel("Role")).toHaveValue("viewer");
  await page.getByLabel("Why do you need it?").fill("I join the demo team on Monday");
  await page.getByRole("button", { name: "Ask to join" }).click();
  await expect(page.getByRole("status")).toContainText("Asked for demo-viewer in demo");
  expect(await demoRoles(request, user)).toEqual([]);

  // The team lead approves it from the inbox.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, "lead");
  await page.goto("/requests");
  const approval = page.getByRole("form", { name: `Approve ${user}'s request` });
  await expect(approval.getByLabel("Role to give")).toHaveValue("viewer");
  await approval.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByRole("status")).toContainText(`Approved: ${user} now has demo-viewer in demo.`);
  expect(await demoRoles(request, user)).toEqual(["demo-viewer"]);
});

test("a team lead gives a newcomer a teammate's access, and finds a project's join link", async ({ page, request }, info) => {
  const user = `sa-${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
  await newPerson(request, user);
  await signIn(page, "lead");
  await page.goto("/onboard");
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Same access as", { exact: true }).fill("carol");
  await page.getByRole("button", { name: "Review", exact: true }).click();
  const review = page.getByRole("region", { name: "Review: these calls will be made" });
  await expect(review).toContainText(`Invite ${user} to workspace demo as demo-viewer`);
  await expect(review).toContainText(`Invite ${user} to project demo-web (cluster host) as viewer`);
  expect(await demoRoles(request, user)).toEqual([]);
  await page.getByRole("button", { name: "Apply these 2 changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 of 2 changes made" })).toBeVisible();
  expect(await demoRoles(request, user)).toEqual(["demo-viewer"]);
  const webMembers = "/clusters/host/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-web/namespacemembers";
  expect(await rolesIn(request, webMembers, "iam.kubesphere.io/role", user)).toEqual(["viewer"]);

  // A project's page links its admins (here the workspace's) to its join link.
  await page.goto("/workspaces/demo");
  await page.getByRole("link", { name: "demo-ops", exact: true }).click();
  await page.getByRole("link", { name: "Join link for member-1/demo-ops" }).click();
  await expect(page.getByLabel("Link to share")).toHaveValue(/\/join\/demo\/member-1\/demo-ops\?role=viewer$/);
});
