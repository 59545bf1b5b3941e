import { test, expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { hydrated, signIn } from "./helpers";

// Task: "where does this person belong, with which role?" — find them from the home page's
// search as you type, open their page, read a workspace role and follow it to the workspace.
// Then every page of the app, on desktop and on a 360 px phone, in light and dark themes: no
// horizontal scrolling, no serious or critical accessibility violations (axe-core), and on the
// phone no tap target under 44 px.

// Every route of the app, with parameters from the demo seed.
const PAGES = [
  "/",
  "/users",
  "/users?q=car",
  "/users/carol",
  "/users/new",
  "/workspaces",
  "/workspaces/demo",
  "/workspaces/demo/access",
  "/workspaces/demo/access?since=2020-01-01",
  "/explain?user=bob&workspace=demo&cluster=host&project=demo-web",
  "/workspaces/new",
  "/workspaces/invite",
  "/projects/host/demo-web",
  "/projects/new",
  "/projects/invite",
  "/roles",
  "/activity",
  "/onboard",
  "/onboard/bulk",
  "/requests",
  "/join/demo?role=viewer",
  "/join/demo/host/demo-web",
  "/requests/link?workspace=demo",
  "/users/frank/same-access?reference=carol",
  "/projects/member-1/demo-ops?workspace=demo",
  "/settings/notifications",
];

test("find a person as you type, read their workspace role, follow it to the workspace", async ({ page }) => {
  await signIn(page, "admin");
  await hydrated(page);
  const search = page.getByRole("searchbox", { name: "Find a person" });
  await expect(search).toBeInViewport();
  await search.pressSequentially("car");
  const results = page.getByRole("list", { name: "Matching people" });
  await results.getByRole("link", { name: "carol" }).click();

  await expect(page).toHaveURL(/\/users\/carol$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("carol");
  const demo = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: "demo", exact: true }) });
  await expect(demo.getByTestId("workspace-role")).toHaveText("— demo-viewer");
  await expect(page.getByRole("link", { name: "demo-web", exact: true })).toBeVisible();

  await demo.getByRole("link", { name: "demo", exact: true }).click();
  await expect(page).toHaveURL(/\/workspaces\/demo$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Workspace demo");
  const carol = page.getByRole("row").filter({ has: page.getByRole("link", { name: "carol" }) });
  await expect(carol).toContainText("demo-viewer");
  await expect(carol).toContainText("carol@example.com");
});

test.describe("without WASM", () => {
  test.use({ javaScriptEnabled: false });

  test("the people list searches and sorts as a plain form", async ({ page }) => {
    await signIn(page, "admin");
    await page.goto("/users");
    await page.getByLabel("Sort by").selectOption({ label: "Username, Z to A" });
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/sort=name-desc/);
    const usernames = await page.locator("td[data-label=Username]").allInnerTexts();
    expect(usernames.length).toBeGreaterThan(2);
    expect([...usernames].sort().reverse()).toEqual(usernames);
  });
});

async function checkPage(page: Page, path: string, problems: string[], phone: boolean) {
  await hydrated(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) problems.push(`${path}: ${overflow}px wider than the screen`);
  if (phone) {
    // Tap targets: every visible control at least 44 px tall (checkboxes count with their label).
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("a, button, input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, label.checkbox")]
        .filter((el) => (el as HTMLElement).offsetParent !== null && !el.closest(".checkbox, .sr-only, .skip-link"))
        .map((el) => ({ el, h: el.getBoundingClientRect().height }))
        .filter(({ h }) => h > 0 && h < 44)
        .map(({ el, h }) => `${el.tagName.toLowerCase()} "${(el.textContent || (el as HTMLInputElement).name || "").trim().slice(0, 30)}" ${Math.round(h)}px`),
    );
    for (const s of small) problems.push(`${path}: tap target ${s}`);
  }
  const axe = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
  for (const v of axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
    const where = v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ");
    problems.push(`${path}: ${v.impact} ${v.id} (${v.help}) at ${where}`);
  }
}

for (const scheme of ["light", "dark"] as const) {
  test(`every page fits the screen and passes axe-core (${scheme} theme)`, async ({ page }, info) => {
    const phone = info.project.name === "phone";
    test.setTimeout(120_000);
    await page.emulateMedia({ colorScheme: scheme });
    const problems: string[] = [];
    await page.goto("/login");
    await checkPage(page, "/login", problems, phone);
    await signIn(page, "admin");
    for (const path of PAGES) {
      await page.goto(path);
      await checkPage(page, path, problems, phone);
    }
    expect(problems).toEqual([]);
  });
}
