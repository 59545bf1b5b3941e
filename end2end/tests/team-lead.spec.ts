import { test, expect, type APIRequestContext } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { newPerson, rolesIn, signIn } from "./helpers";

// Task: a team lead — `lead`, an administrator of workspace demo who is not a platform admin,
// on a KubeSphere where no cluster is public — onboards an existing person into demo and into
// demo-ops, a project someone else created, first with the wizard, then with a file. What
// KubeSphere holds afterwards is read from KubeSphere itself. Runs on desktop and at 360 px.

type JournalEntry = { method: string; path: string; body: any; status: number };

const demoMembers = "/kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers";
const opsMembers = "/clusters/member-1/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-ops/namespacemembers";

function tag(info: { project: { name: string } }): string {
  return `${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
}

test("a team lead onboards someone into their workspace and a project someone else created, with the wizard", async ({ page, request }, info) => {
  const user = `lw-${tag(info)}`;
  await newPerson(request, user);
  await signIn(page, "lead");
  // The lead is offered what they may do: onboarding, not creating accounts.
  await page.getByRole("main").getByRole("link", { name: "Onboard a person" }).click();
  await expect(page.getByLabel("E-mail")).toHaveCount(0);
  await expect(page.getByLabel("Platform role")).toHaveCount(0);
  await page.getByLabel("Username").fill(user);
  await page.getByLabel("Workspace 1", { exact: true }).selectOption("demo");
  await page.getByLabel("Project 1", { exact: true }).selectOption("demo/member-1/demo-ops");
  await expect(page.getByLabel("Role in project 1")).toHaveValue("viewer");
  await page.getByRole("button", { name: "Review", exact: true }).click();

  const review = page.getByRole("region", { name: "Review: these calls will be made" });
  await expect(review).toContainText(`Invite ${user} to workspace demo as demo-regular`);
  await expect(review).toContainText(`Invite ${user} to project demo-ops (cluster member-1) as viewer`);
  await page.getByRole("button", { name: "Apply these 2 changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "2 of 2 changes made" })).toContainText(`2 of 2 changes made for ${user}.`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(overflow).toBe(false);

  // KubeSphere holds exactly those bindings.
  expect(await rolesIn(request, demoMembers, "iam.kubesphere.io/workspacerole", user)).toEqual(["demo-regular"]);
  expect(await rolesIn(request, opsMembers, "iam.kubesphere.io/role", user)).toEqual(["viewer"]);
});

test("a team lead onboards people from a file into their workspace and a project someone else created", async ({ page, request }, info) => {
  const user = `lf-${tag(info)}`;
  await newPerson(request, user);
  const header = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";
  const csv = [header, `${user},,,,demo,,,,`, `${user},,,,demo,,member-1,demo-ops,`, `newbie-${user},newbie@example.com,,,demo,,,,`].join("\n");
  await signIn(page, "lead");
  await page.goto("/onboard/bulk");
  await page.getByLabel("Or paste the CSV").fill(csv);
  await page.getByRole("button", { name: "Dry run" }).click();
  const run = page.getByRole("region", { name: "Dry run: nothing was sent" });
  await expect(run).toContainText("3 rows: 2 will send changes, 0 are in place already, 1 cannot be done.");
  const table = page.getByRole("table", { name: "What each row will do" });
  await expect(table.getByRole("row").filter({ hasText: "only platform administrators create accounts" })).toHaveCount(1);
  await page.getByRole("button", { name: "Apply the 2 accepted rows" }).click();
  await page.getByRole("link", { name: "Follow the progress" }).click();
  await expect(page.getByRole("heading", { name: "Done: all 2 rows applied." })).toBeVisible({ timeout: 30_000 });

  expect(await rolesIn(request, demoMembers, "iam.kubesphere.io/workspacerole", user)).toEqual(["demo-regular"]);
  expect(await rolesIn(request, opsMembers, "iam.kubesphere.io/role", user)).toEqual(["viewer"]);
  const journal = (await (await request.get(`${SIM_URL}/_sim/journal`)).json()) as JournalEntry[];
  expect(journal.filter((e) => e.method !== "GET" && JSON.stringify(e.body ?? "").includes(`newbie-${user}`))).toEqual([]);
});
