import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { SIM_URL } from "../playwright.config";
import { signIn } from "./helpers";

// Task: a helpdesk person onboards someone on one page — the account, two workspaces and a
// project — reads every call before anything is sent, applies, and finds it all in the activity
// log. The page is plain HTML forms (no WASM). Runs on desktop and on a 360 px phone.

type JournalEntry = { method: string; path: string; body: any; status: number };

// The wizard's fields by their visible labels, in each language.
type WizardLabels = {
  username: string; email: string; displayName: string;
  workspace: (n: number) => string; workspaceRole: (n: number) => string;
  projectWorkspace: string; project: string; projectCluster: string; review: string;
};
const ENGLISH: WizardLabels = {
  username: "Username", email: "E-mail", displayName: "Display name",
  workspace: (n) => `Workspace ${n}`, workspaceRole: (n) => `Role in workspace ${n}`,
  projectWorkspace: "Workspace of project 1", project: "Project 1", projectCluster: "Cluster of project 1",
  review: "Review",
};
const CHINESE: WizardLabels = {
  username: "用户名", email: "电子邮箱", displayName: "显示名称",
  workspace: (n) => `企业空间 ${n}`, workspaceRole: (n) => `在企业空间 ${n} 中的角色`,
  projectWorkspace: "项目 1 所在的企业空间", project: "项目 1", projectCluster: "项目 1 所在的集群",
  review: "核对",
};

// What KubeSphere receives for the wizard below, whatever the page's language.
const WIZARD_WRITES = [
  "POST /kapis/iam.kubesphere.io/v1beta1/users",
  "POST /kapis/iam.kubesphere.io/v1beta1/workspaces/demo/workspacemembers",
  "POST /kapis/iam.kubesphere.io/v1beta1/workspaces/team-b/workspacemembers",
  "POST /clusters/member-1/kapis/iam.kubesphere.io/v1beta1/namespaces/demo-api/namespacemembers",
];

// The person, two workspaces (demo as regular, the default; team-b as viewer) and project
// demo-api of demo; then Review. An administrator names the project (their choices are many):
// its workspace, then its name and cluster.
async function fillWizard(page: Page, l: WizardLabels, user: string, displayName: string) {
  await page.getByLabel(l.username, { exact: true }).fill(user);
  await page.getByLabel(l.email, { exact: true }).fill(`${user}@example.com`);
  await page.getByLabel(l.displayName).fill(displayName);
  await page.getByLabel(l.workspace(1), { exact: true }).selectOption("demo");
  await expect(page.getByLabel(l.workspaceRole(1))).toHaveValue("regular");
  await page.getByLabel(l.workspace(2), { exact: true }).selectOption("team-b");
  await page.getByLabel(l.workspaceRole(2)).selectOption("viewer");
  await page.getByLabel(l.projectWorkspace).selectOption("demo");
  await page.getByLabel(l.project, { exact: true }).fill("demo-api");
  await page.getByLabel(l.projectCluster).selectOption("member-1");
  await page.getByRole("button", { name: l.review, exact: true }).click();
}

async function writes(request: APIRequestContext, user: string): Promise<JournalEntry[]> {
  const res = await request.get(`${SIM_URL}/_sim/journal`);
  const all = (await res.json()) as JournalEntry[];
  return all.filter((e) => e.method !== "GET" && JSON.stringify(e.body ?? "").includes(user));
}

test("onboard a person on one page: two workspaces and a project, reviewed, then applied", async ({ page, request }, info) => {
  const user = `wiz-${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
  await signIn(page, "admin");
  await page.goto("/onboard");
  await expect(page.getByLabel("Platform role")).toHaveValue("");
  await expect(page.getByLabel("Role in project 1")).toHaveValue("viewer");
  await fillWizard(page, ENGLISH, user, "Wizard Person");

  // The review names every call, and nothing has been sent.
  const review = page.getByRole("region", { name: "Review: these calls will be made" });
  await expect(review).toContainText(`Create the account ${user} (${user}@example.com) as platform-regular`);
  await expect(review).toContainText(`Invite ${user} to workspace demo as demo-regular`);
  await expect(review).toContainText(`Invite ${user} to workspace team-b as team-b-viewer`);
  await expect(review).toContainText(`Invite ${user} to project demo-api (cluster member-1) as viewer`);
  expect(await writes(request, user)).toEqual([]);

  await page.getByRole("button", { name: "Apply these 4 changes" }).click();
  const result = page.getByRole("status").filter({ hasText: "4 of 4 changes made" });
  await expect(result).toContainText(`4 of 4 changes made for ${user}.`);
  const password = await page.getByLabel(`Initial password of ${user}`).inputValue();
  expect(password.length).toBeGreaterThanOrEqual(12);

  const sent = await writes(request, user);
  expect(sent.map((e) => `${e.method} ${e.path}`)).toEqual(WIZARD_WRITES);
  expect(sent[1].body).toEqual([{ username: user, roleRef: "demo-regular" }]);
  expect(sent[2].body).toEqual([{ username: user, roleRef: "team-b-viewer" }]);
  expect(sent[3].body).toEqual([{ username: user, roleRef: "viewer" }]);
  expect(sent.every((e) => e.status === 200)).toBe(true);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(overflow).toBe(false);

  // The new person's page, and the activity log, show it all.
  await page.getByRole("link", { name: `Open ${user}’s page` }).click();
  await expect(page.getByTestId("workspace-role").first()).toBeVisible();
  await page.getByRole("link", { name: "What was done to this person" }).click();
  const log = page.getByRole("table", { name: "Changes, newest first" });
  await expect(log.getByRole("row")).toHaveCount(5); // the header and four changes
  await expect(log.getByRole("row").filter({ hasText: "Invited to a workspace" })).toHaveCount(2);
});

test("bulk onboarding: a 30-row file with three bad rows: dry run, apply, apply again changes nothing", async ({ page, request }, info) => {
  const tag = `${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-4)}`;
  const header = "username,email,display_name,platform_role,workspace,workspace_role,cluster,project,project_role";
  const lines = [header];
  for (let i = 0; i < 9; i++) {
    const user = `csv-${tag}-${i}`;
    lines.push(`${user},${user}@example.com,Person ${i},,demo,,,,`);
    lines.push(`${user},,,,team-b,viewer,,,`);
    lines.push(`${user},,,,demo,,host,demo-web,viewer`);
  }
  lines.push(`csv-${tag}-x,csv-${tag}-x@example.com,,,demo,auditor,,,`); // not a built-in role kind
  lines.push(`csv-${tag}-y,csv-${tag}-y@example.com,,,nowhere,,,,`); // no such workspace
  lines.push(`csv-${tag}-0,,,,demo,admin,,,`); // conflicts with the first row
  await signIn(page, "admin");
  await page.goto("/onboard/bulk");
  await expect(page.getByRole("link", { name: "Download the template" })).toHaveAttribute("download", "onboarding-template.csv");
  await page.getByLabel("CSV file").setInputFiles({ name: "team.csv", mimeType: "text/csv", buffer: Buffer.from(lines.join("\n")) });
  await page.getByRole("button", { name: "Dry run" }).click();
  const run = page.getByRole("region", { name: "Dry run: nothing was sent" });
  await expect(run).toContainText("30 rows: 27 will send changes, 0 are in place already, 3 cannot be done. 9 new accounts.");
  const table = page.getByRole("table", { name: "What each row will do" });
  await expect(table.getByRole("row").filter({ hasText: "Cannot:" })).toHaveCount(3);
  await expect(table.getByRole("row").filter({ hasText: `conflicts with line 2` })).toHaveCount(1);
  // Nothing was sent for any of these people.
  const journal = (await (await request.get(`${SIM_URL}/_sim/journal`)).json()) as JournalEntry[];
  expect(journal.filter((e) => e.method !== "GET" && JSON.stringify(e.body ?? "").includes(`csv-${tag}`))).toEqual([]);
  // The pasted text is kept for corrections.
  await expect(page.getByLabel("Or paste the CSV")).toHaveValue(lines.join("\n"));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(overflow).toBe(false);

  // Apply: the accounts first, their passwords shown once; the rest as a job.
  await page.getByRole("button", { name: "Apply the 27 accepted rows" }).click();
  await expect(page.getByRole("status").filter({ hasText: "9 new accounts made." })).toBeVisible();
  const passwords = page.getByRole("table", { name: "New accounts and their passwords" });
  await expect(passwords.getByRole("row")).toHaveCount(10);
  await expect(page.getByRole("link", { name: "Download the passwords" })).toHaveAttribute("download", "new-accounts.csv");
  await page.getByRole("link", { name: "Follow the progress" }).click();
  await expect(page.getByRole("heading", { name: "Done: all 27 rows applied." })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("link", { name: "Download the result" })).toBeVisible();
  const sent = ((await (await request.get(`${SIM_URL}/_sim/journal`)).json()) as JournalEntry[]).filter(
    (e) => e.method !== "GET" && JSON.stringify(e.body ?? "").includes(`csv-${tag}`),
  );
  expect(sent.length).toBe(9 + 27); // 9 accounts, then one call per accepted row
  expect(sent.every((e) => e.status === 200)).toBe(true);

  // The same file again: everything is in place, nothing to apply.
  await page.goto("/onboard/bulk");
  await page.getByLabel("Or paste the CSV").fill(lines.join("\n"));
  await page.getByRole("button", { name: "Dry run" }).click();
  await expect(page.getByRole("region", { name: "Dry run: nothing was sent" })).toContainText(
    "30 rows: 0 will send changes, 27 are in place already, 3 cannot be done.",
  );
  await expect(page.getByRole("button", { name: /^Apply/ })).toHaveCount(0);

  // All of it is in the activity log.
  await page.goto(`/activity?person=csv-${tag}-0`);
  const log = page.getByRole("table", { name: "Changes, newest first" });
  await expect(log.getByRole("row")).toHaveCount(5); // the header; the account, two workspaces, one project
});

test("the same wizard in Chinese: switched in the top bar, every label and call in Chinese", async ({ page, request }, info) => {
  const user = `zh-${info.project.name === "phone" ? "p" : "d"}${Date.now().toString(36).slice(-5)}`;
  await signIn(page, "admin");
  // The switch names the other language in that language; the choice is kept across pages.
  await page.getByRole("button", { name: "简体中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-Hans");
  await page.goto("/onboard");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("添加成员");
  await fillWizard(page, CHINESE, user, "向导用户");

  const review = page.getByRole("region", { name: "核对：将进行以下调用" });
  await expect(review).toContainText(`创建账户 ${user}（${user}@example.com），平台角色为 platform-regular`);
  await expect(review).toContainText(`邀请 ${user} 加入企业空间 demo，角色为 demo-regular`);
  await expect(review).toContainText(`邀请 ${user} 加入项目 demo-api（集群 member-1），角色为 viewer`);
  expect(await writes(request, user)).toEqual([]);

  await page.getByRole("button", { name: "应用这 4 项更改" }).click();
  await expect(page.getByRole("status").filter({ hasText: `已为 ${user} 完成全部 4 项更改。` })).toBeVisible();
  expect((await page.getByLabel(`${user} 的初始密码`).inputValue()).length).toBeGreaterThanOrEqual(12);
  // KubeSphere received exactly what it receives in English.
  const sent = await writes(request, user);
  expect(sent.map((e) => `${e.method} ${e.path}`)).toEqual(WIZARD_WRITES);
  expect(sent.every((e) => e.status === 200)).toBe(true);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
  expect(overflow).toBe(false);

  // And back to English with the same switch.
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
});
