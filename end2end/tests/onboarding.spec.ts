import { test, expect, type Page, type APIRequestContext } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { hydrated, signIn } from "./helpers";

// Task: a team lead onboards a new person end to end — create the user, a workspace and a
// project, invite the user to both, change each of their roles (confirming the admin grant) —
// and KubeSphere receives exactly those requests. Runs on desktop and on a 360 px phone.

type JournalEntry = { method: string; path: string; body: any; status: number; user: string | null };

async function journal(request: APIRequestContext): Promise<JournalEntry[]> {
  const res = await request.get(`${SIM_URL}/_sim/journal`);
  return (await res.json()) as JournalEntry[];
}

test("onboard a person: user, workspace, project, invitations and role changes", async ({ page, request }, info) => {
  const suffix = `${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
  const user = `newbie-${suffix}`;
  const ws = `ws-${suffix}`;
  const project = `proj-${suffix}`;
  await signIn(page, "admin");

  // 1. Create the user, with the strong password the page generated (it needs no WASM).
  await page.goto("/users/new");
  await hydrated(page);
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("E-mail").fill(`${user}@example.com`);
  const password = await page.getByLabel("Initial password").inputValue();
  expect(password).toMatch(/^(?=.*[a-z])(?=.*[A-Z])(?=.*\d).{8,64}$/);
  await expect(page.getByRole("list", { name: "Password rules" }).getByText("(met)")).toHaveCount(4);
  await expect(page.getByLabel("Platform role")).toHaveValue("platform-regular");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status").filter({ hasText: `User ${user} was created` })).toBeVisible();
  let posts = (await journal(request)).filter((e) => e.method === "POST" && e.path === "/kapis/iam.kubesphere.io/v1beta1/users");
  const created = posts.at(-1)!;
  expect(created.status).toBe(200);
  expect(created.body.metadata.name).toBe(user);
  expect(created.body.metadata.annotations["iam.kubesphere.io/globalrole"]).toBe("platform-regular");
  expect(created.body.metadata.annotations["iam.kubesphere.io/uninitialized"]).toBe("true");
  expect(created.body.metadata.annotations["kubesphere.io/creator"]).toBe("admin");

  // 2. Create a workspace on the host cluster, managed by admin.
  await page.goto("/workspaces/new");
  await hydrated(page);
  await page.getByLabel("Workspace name").fill(ws);
  await page.getByRole("checkbox", { name: "host" }).check();
  await page.getByRole("button", { name: "Create workspace" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Workspace ${ws} was created` })).toBeVisible();
  const wsPost = (await journal(request)).filter((e) => e.method === "POST" && e.path.endsWith("/workspacetemplates")).at(-1)!;
  expect(wsPost.body.metadata.name).toBe(ws);
  expect(wsPost.body.spec.template.spec.manager).toBe("admin");
  expect(wsPost.body.spec.placement.clusters).toEqual([{ name: "host" }]);

  // 3. Create a project in it.
  await page.goto("/projects/new");
  await hydrated(page);
  await page.getByLabel("Workspace").selectOption(ws);
  await page.getByLabel("Cluster").selectOption("host");
  await page.getByLabel("Project name").fill(project);
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Project ${project} was created` })).toBeVisible();
  const nsPost = (await journal(request)).filter((e) => e.method === "POST" && e.path.endsWith(`/workspaces/${ws}/namespaces`)).at(-1)!;
  expect(nsPost.path).toBe(`/clusters/host/kapis/tenant.kubesphere.io/v1beta1/workspaces/${ws}/namespaces`);
  expect(nsPost.body.metadata.labels["kubesphere.io/managed"]).toBe("true");
  expect(nsPost.body.metadata.annotations["kubesphere.io/creator"]).toBe("admin");

  // 4. Invite the user to the workspace (default: its built-in regular role) and to the project (default viewer).
  await page.goto("/workspaces/invite");
  await hydrated(page);
  await page.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await page.getByLabel("Find people").fill(user.slice(0, 6));
  await page.getByRole("button", { name: `Add ${user}` }).click();
  await expect(page.getByLabel("People to invite")).toHaveValue(user);
  await expect(page.getByLabel("Workspace role")).toHaveValue("regular");
  await expect(page.getByLabel("Workspace role").locator("option:checked")).toHaveText(`${ws}-regular`);
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Invited ${user} to workspace ${ws}` })).toBeVisible();
  const wsInvite = (await journal(request)).filter((e) => e.method === "POST" && e.path.endsWith(`/workspaces/${ws}/workspacemembers`)).at(-1)!;
  expect(wsInvite.body).toEqual([{ username: user, roleRef: `${ws}-regular` }]);

  // A project is chosen in two steps: its workspace, then one of that workspace's projects.
  await page.goto("/projects/invite");
  await hydrated(page);
  await page.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await expect(page.getByLabel("Project", { exact: true }).locator(`option[value="host/${project}"]`)).toBeAttached();
  await page.getByLabel("Project", { exact: true }).selectOption(`host/${project}`);
  await page.getByLabel("People to invite").fill(user);
  await expect(page.getByLabel("Project role")).toHaveValue("viewer");
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByRole("status").filter({ hasText: `Invited ${user} to project host/${project}` })).toBeVisible();
  const nsInvite = (await journal(request)).filter((e) => e.method === "POST" && e.path.endsWith(`/namespaces/${project}/namespacemembers`)).at(-1)!;
  expect(nsInvite.body).toEqual([{ username: user, roleRef: "viewer" }]);

  // 5. Change each role; the workspace admin grant needs the confirmation.
  // Each level is a section of its own.
  await page.goto("/roles");
  await hydrated(page);
  await page.getByRole("navigation", { name: "Level" }).getByRole("link", { name: "Platform role" }).click();
  await hydrated(page);
  const platform = page.getByRole("form", { name: "Change platform role" });
  await platform.getByLabel("User").fill(user);
  await platform.getByLabel("New platform role").selectOption("platform-self-provisioner");
  await expect(platform.getByRole("checkbox", { name: /Yes, grant/ })).toBeHidden();
  await platform.getByRole("button", { name: "Change platform role" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${user} now has the role platform-self-provisioner` })).toBeVisible();
  const put = (await journal(request)).filter((e) => e.method === "PUT" && e.path === `/kapis/iam.kubesphere.io/v1beta1/users/${user}`).at(-1)!;
  expect(put.body.metadata.annotations["iam.kubesphere.io/globalrole"]).toBe("platform-self-provisioner");
  expect(put.body.spec.email).toBe(`${user}@example.com`);

  await page.getByRole("navigation", { name: "Level" }).getByRole("link", { name: "Workspace role" }).click();
  await hydrated(page);
  const wsForm = page.getByRole("form", { name: "Change workspace role" });
  await wsForm.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await wsForm.getByLabel("Member", { exact: true }).fill(user);
  await wsForm.getByLabel("New workspace role").selectOption(`${ws}-admin`);
  // Choosing an admin role shows the confirmation at once; sending without it is refused.
  await expect(wsForm.getByRole("checkbox", { name: /Yes, grant/ })).toBeVisible();
  await wsForm.getByRole("button", { name: "Change workspace role" }).click();
  await expect(wsForm.getByText("Confirm that you want to make them admin")).toBeVisible();
  await wsForm.getByRole("checkbox", { name: /Yes, grant/ }).check();
  await wsForm.getByRole("button", { name: "Change workspace role" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${user} now has the role ${ws}-admin` })).toBeVisible();
  const wsPut = (await journal(request)).filter((e) => e.method === "PUT" && e.path.endsWith(`/workspacemembers/${user}`)).at(-1)!;
  expect(wsPut.body).toEqual({ username: user, roleRef: `${ws}-admin` });

  await page.getByRole("navigation", { name: "Level" }).getByRole("link", { name: "Project role" }).click();
  await hydrated(page);
  const projectForm = page.getByRole("form", { name: "Change project role" });
  await projectForm.getByLabel("Workspace", { exact: true }).selectOption(ws);
  await expect(projectForm.getByLabel("Project", { exact: true }).locator(`option[value="host/${project}"]`)).toBeAttached();
  await projectForm.getByLabel("Project", { exact: true }).selectOption(`host/${project}`);
  await projectForm.getByLabel("Project member").fill(user);
  await projectForm.getByLabel("New project role").selectOption("operator");
  await projectForm.getByRole("button", { name: "Change project role" }).click();
  await expect(page.getByRole("status").filter({ hasText: `${user} now has the role operator` })).toBeVisible();

  // 6. Every change is in the activity log, found from the person's page.
  await page.goto(`/users/${user}`);
  await page.getByRole("link", { name: "What was done to this person" }).click();
  await expect(page).toHaveURL(new RegExp(`/activity\\?person=${user}$`));
  const log = page.getByRole("table", { name: "Changes, newest first" });
  for (const change of ["Created a user", "Invited to a workspace", "Invited to a project", "Changed a platform role", "Changed a workspace role", "Changed a project role"]) {
    await expect(log.getByRole("row").filter({ hasText: change })).toHaveCount(1);
  }
  await expect(log.getByRole("row").filter({ hasText: "Changed a workspace role" })).toContainText(`${ws}-regular → ${ws}-admin`);
  await expect(log.getByRole("row").filter({ hasText: "Changed a platform role" })).toContainText("platform-regular → platform-self-provisioner");
  // The filters are a plain form: only workspace role changes.
  await page.getByLabel("Change", { exact: true }).selectOption("change_workspace_role");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(log.getByRole("row")).toHaveCount(2); // the header and one change

  // No request of the whole task deleted anything.
  expect((await journal(request)).filter((e) => e.method === "DELETE")).toEqual([]);
  // Nothing overflows horizontally.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(overflow).toBe(false);
});

test.describe("without WASM", () => {
  test.use({ javaScriptEnabled: false });

  test("the create-user form works as a plain HTML form", async ({ page, request }, info) => {
    const user = `plain-${info.project.name[0]}${Date.now().toString(36).slice(-5)}`;
    await signIn(page, "admin");
    await page.goto("/users/new");
    await page.getByLabel("Username").fill(user);
    await page.getByLabel("E-mail").fill(`${user}@example.com`);
    await page.getByLabel("Initial password").fill("Welcome2026");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect(page.getByText(`User ${user} was created`)).toBeVisible();
    const post = (await journal(request)).filter((e) => e.method === "POST" && e.path === "/kapis/iam.kubesphere.io/v1beta1/users").at(-1)!;
    expect(post.body.metadata.name).toBe(user);
    expect(post.body.metadata.annotations["iam.kubesphere.io/globalrole"]).toBe("platform-regular");
  });

  test("a project invitation picks the workspace, then its project, with plain forms", async ({ page, request }, info) => {
    // Each browser project invites someone else (they share one simulator).
    const person = info.project.name === "phone" ? "erin" : "dave";
    await signIn(page, "admin");
    await page.goto("/projects/invite");
    await page.getByLabel("Workspace", { exact: true }).selectOption("team-b");
    await page.getByRole("button", { name: "Show its projects" }).click();
    await expect(page).toHaveURL(/workspace=team-b/);
    const projectSelect = page.getByLabel("Project", { exact: true });
    const offered = await projectSelect.locator("option").allTextContents();
    expect(offered.length).toBeGreaterThan(0);
    const first = await projectSelect.inputValue();
    await page.getByLabel("People to invite").fill(person);
    await page.getByRole("button", { name: "Invite" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Invited ${person} to project ${first}` })).toBeVisible();
    const [, ns] = first.split("/");
    const invite = (await journal(request)).filter((e) => e.method === "POST" && e.path.endsWith(`/namespaces/${ns}/namespacemembers`)).at(-1)!;
    expect(invite.body).toEqual([{ username: person, roleRef: "viewer" }]);
  });
});
