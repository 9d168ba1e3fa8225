package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import dev.claw4j.app.admin.AdminToken;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator's console in a real browser (Debian's chromium, headless, through chromedriver) against the real
 * host: real gVisor sandboxes, the real agent, the scripted model. The steps build on each other, in order.
 * A failing step leaves a screenshot in {@code app/target/console-failures/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ConsoleBrowserIT.ScreenshotOnFailure.class)
class ConsoleBrowserIT {
    private static final Pattern CODE = Pattern.compile("code: ([A-Z2-9]{8})");
    private static final Path TARGET = Path.of("target");

    private Path data;
    private RunningHost host;
    private WebDriver browser;
    private String console;
    private String bossGroup;

    @BeforeAll
    void start() throws Exception {
        data = Files.createTempDirectory("console-it");
        host = new RunningHost(data, new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "5m", 4),
                List.of(), "per-chat", new Config.Access("pairing", null, List.of(WebChatClient.senderId("boss")),
                        null));
        assertThat(host.claw4j.console()).as("the console listens").isNotNull();
        console = "http://127.0.0.1:" + host.claw4j.console().port();
        browser = chromium();
    }

    /** Debian's chromium through its chromedriver, both named outright so Selenium Manager downloads nothing. */
    private static WebDriver chromium() {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-background-networking",
                "--disable-component-update", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    @AfterAll
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (host != null) {
            host.close();
        }
    }

    @Test
    @Order(1)
    void aWrongTokenIsRefusedAndTheAdminTokenLogsIn() {
        browser.get(console + "/");
        assertThat(browser.getCurrentUrl()).as("a page without a login goes to the login").endsWith("/login");
        browser.findElement(By.id("token")).sendKeys("not-the-token");
        browser.findElement(By.id("login")).click();
        assertThat(waitFor(By.id("error")).getText()).contains("That is not the admin token");

        browser.findElement(By.id("token")).sendKeys(AdminToken.of(data).value());
        browser.findElement(By.id("login")).click();
        assertThat(liveText(By.id("connectors"), t -> t.contains("up"))).contains("web");
    }

    @Test
    @Order(2)
    void aSandboxAppearsLiveOnTheOverview() throws Exception {
        browser.get(console + "/");
        waitFor(By.id("sandboxes"));
        // a mark in this page's memory: still there later means the page was not reloaded, SSE brought the news
        js("window.notReloaded = true;");
        assertThat(browser.findElements(By.cssSelector("tr.sandbox"))).as("no sandbox before the message").isEmpty();

        host.chat.post("dm-boss", "boss", "run: echo console-probe; exit 7");
        String row = liveText(By.cssSelector("tr.sandbox"), t -> true, Duration.ofSeconds(90));
        bossGroup = host.claw4j.store().groups().groupForBinding("web:chat:dm-boss").orElseThrow();
        assertThat(row).contains(bossGroup).contains("claw4j-" + bossGroup).contains("gvisor (runsc)")
                .contains("512 MiB");
        // Docker's stats reach the page a little later, also without a reload
        assertThat(liveText(By.cssSelector("tr.sandbox"), t -> t.matches("(?s).*\\d+\\.\\d MiB, \\d+\\.\\d% CPU.*"),
                Duration.ofSeconds(30))).contains(bossGroup);
        assertThat(js("return window.notReloaded === true;")).isEqualTo(true);

        List<JsonNode> replies = host.chat.awaitReplies("dm-boss", 1, Duration.ofSeconds(90));
        assertThat(replies.getFirst().get("text").asText()).contains("console-probe");
        liveText(By.id("today"), t -> t.contains("replies out: 1"));
        screenshotOfTheOverview();
    }

    @Test
    @Order(3)
    void aPendingCodeApprovedInTheConsoleLetsThePersonIn() throws Exception {
        host.chat.post("dm-ana", "ana", "hello, may I?");
        Matcher code = CODE.matcher(host.chat.awaitReplies("dm-ana", 1, Duration.ofSeconds(30)).getFirst()
                .get("text").asText());
        assertThat(code.find()).isTrue();

        browser.get(console + "/access");
        WebElement row = waitFor(By.cssSelector("tr[data-code='" + code.group(1) + "']"));
        assertThat(row.getText()).contains("ana");
        submit(row.findElement(By.xpath(".//button[text()='Approve']")));
        assertThat(waitFor(By.id("flash")).getText()).contains("Approved ana");
        assertThat(browser.findElement(By.id("granted")).getText()).contains(WebChatClient.senderId("ana"));

        host.chat.post("dm-ana", "ana", "now can we talk?");
        List<JsonNode> after = host.chat.awaitReplies("dm-ana", 2, Duration.ofSeconds(90));
        assertThat(after.get(1).get("text").asText()).contains("now can we talk?");
    }

    @Test
    @Order(4)
    void theGroupPageShowsTheToolCallThatJustRanWithItsExitCode() {
        assertThat(bossGroup).as("set by the live-overview step").isNotNull();
        browser.get(console + "/groups");
        browser.findElement(By.linkText(bossGroup)).click();
        assertThat(waitFor(By.id("timeline")).getText()).contains("run: echo console-probe; exit 7");

        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("kind"))).selectByValue("tool.finished");
        browser.findElement(By.id("filter")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("kind=tool.finished"));
        List<WebElement> rows = browser.findElements(By.cssSelector("#audit tr.audit"));
        assertThat(rows).isNotEmpty().allSatisfy(r -> assertThat(r.getDomAttribute("data-kind")).isEqualTo("tool.finished"));
        assertThat(rows).anySatisfy(r -> assertThat(r.getText()).contains("bash echo console-probe; exit 7 → exit 7")
                .contains("failed").contains("gvisor (runsc)"));

        // and the model calls around it, with their time and tokens, found by text
        browser.findElement(By.id("q")).sendKeys("tokens in");
        new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("kind"))).selectByValue("");
        browser.findElement(By.id("filter")).click();
        new WebDriverWait(browser, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("q=tokens"));
        assertThat(browser.findElements(By.cssSelector("#audit tr.audit"))).hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(r -> assertThat(r.getText()).contains("model.call").containsPattern("OK in \\d+ ms")
                        .containsPattern("\\d+ tokens in, \\d+ out"));
    }

    @Test
    @Order(5)
    void aPostFromAForeignOriginIsRefused() throws Exception {
        assertThat(bossGroup).as("set by the live-overview step").isNotNull();
        browser.get(console + "/groups");
        String csrf = browser.findElement(By.cssSelector("input[name=csrf]")).getDomAttribute("value");
        String cookie = "claw4j_console=" + browser.manage().getCookieNamed("claw4j_console").getValue();
        int port = host.claw4j.console().port();
        Map<String, String> headers = Map.of("Host", "127.0.0.1:" + port, "Cookie", cookie,
                "Content-Type", "application/x-www-form-urlencoded", "Origin", "http://evil.example");

        // the attack: the operator's own session and CSRF token, sent from another site's page
        RawHttp.Response attack = RawHttp.send(port, "POST", "/groups/" + bossGroup + "/pause", headers, "csrf=" + csrf);
        assertThat(attack.status()).isEqualTo(403);
        assertThat(attack.body()).contains("http://evil.example").contains("only the console's own pages");
        assertThat(host.claw4j.host().isPaused(bossGroup)).isFalse();

        // the same request from the console's own origin does what it says: the session and token were good
        RawHttp.Response own = RawHttp.send(port, "POST", "/groups/" + bossGroup + "/pause",
                Map.of("Host", "127.0.0.1:" + port, "Cookie", cookie, "Content-Type",
                        "application/x-www-form-urlencoded", "Origin", "http://127.0.0.1:" + port), "csrf=" + csrf);
        assertThat(own.status()).isEqualTo(303);
        assertThat(host.claw4j.host().isPaused(bossGroup)).isTrue();
        host.claw4j.host().resume(bossGroup, "test");
    }

    @Test
    @Order(6)
    void aPausedGroupKeepsItsMessagesTellsOnceAndResumeAnswersThem() throws Exception {
        assertThat(bossGroup).as("set by the live-overview step").isNotNull();
        browser.get(console + "/groups");
        submit(waitFor(By.cssSelector("tr[data-group='" + bossGroup + "']")).findElement(By.xpath(".//button[text()='Pause']")));
        assertThat(waitFor(By.id("flash")).getText()).contains("Paused " + bossGroup);
        int before = host.chat.replies("dm-boss").size();

        String hostile = "<script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">";
        host.chat.post("dm-boss", "boss", hostile + " first while paused");
        host.chat.post("dm-boss", "boss", "second while paused");
        List<JsonNode> told = host.chat.awaitReplies("dm-boss", before + 1, Duration.ofSeconds(30));
        assertThat(told.getLast().get("text").asText()).contains("paused");
        Thread.sleep(1500);
        assertThat(host.chat.replies("dm-boss")).as("told once, not per message").hasSize(before + 1);

        // what a person wrote is shown as text: nothing in it runs in the operator's browser
        browser.get(console + "/groups/" + bossGroup);
        assertThat(waitFor(By.id("timeline")).getText()).contains(hostile + " first while paused").contains("PAUSED");
        assertThat(browser.getTitle()).doesNotContain("owned");

        submit(browser.findElement(By.xpath("//button[text()='Resume']")));
        assertThat(waitFor(By.id("flash")).getText()).contains("Resumed " + bossGroup);
        List<JsonNode> answered = host.chat.awaitReplies("dm-boss", before + 2, Duration.ofSeconds(90));
        assertThat(answered.getLast().get("text").asText()).contains("second while paused");
    }

    @Test
    @Order(7)
    void aBudgetOverrideSetInTheGroupPageChangesItsBudgetLine() {
        assertThat(bossGroup).as("set by the live-overview step").isNotNull();
        browser.get(console + "/groups/" + bossGroup);
        assertThat(waitFor(By.id("budget-source")).getDomAttribute("data-source")).isEqualTo("default");

        // a word where a number belongs: the page says so and nothing changes
        browser.findElement(By.id("dailyTokens")).clear();
        browser.findElement(By.id("dailyTokens")).sendKeys("lots");
        submit(browser.findElement(By.id("budget-set")));
        assertThat(waitFor(By.id("budget-error")).getText()).contains("daily tokens must be a whole number")
                .contains("lots");
        assertThat(browser.findElement(By.id("budget-source")).getDomAttribute("data-source")).isEqualTo("default");

        browser.findElement(By.id("dailyTokens")).clear();
        browser.findElement(By.id("dailyTokens")).sendKeys("987654");
        browser.findElement(By.id("monthlyCost")).clear();
        browser.findElement(By.id("monthlyCost")).sendKeys("42");
        submit(browser.findElement(By.id("budget-set")));
        assertThat(waitFor(By.id("flash")).getText()).contains("Set the budget override of " + bossGroup);
        assertThat(browser.findElement(By.id("budget-source")).getDomAttribute("data-source")).isEqualTo("override");
        assertThat(browser.findElement(By.cssSelector("main > section")).getText()).as("the budget line")
                .contains("of 987,654 tokens").contains("(override)");

        submit(browser.findElement(By.xpath("//button[text()='Clear override']")));
        assertThat(waitFor(By.id("flash")).getText()).contains("Cleared the budget override of " + bossGroup);
        assertThat(browser.findElement(By.id("budget-source")).getDomAttribute("data-source")).isEqualTo("default");
        assertThat(browser.findElement(By.cssSelector("main > section")).getText()).as("the budget line")
                .contains("budget: not configured").doesNotContain("987,654");
        assertThat(browser.findElement(By.id("audit")).getText()).contains("budget.override.cleared")
                .contains("set by console: 987,654 tokens a day · 42.00 USD a month (was no limits from the default)");
    }

    // ---------------------------------------------------------------- helpers

    /** Clicks a form's button and waits until the page it was on is gone (the answer is a new page). */
    private void submit(WebElement button) {
        button.click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(ExpectedConditions.stalenessOf(button));
    }

    private WebElement waitFor(By by) {
        return new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.findElements(by).stream().findFirst()
                .orElse(null));
    }

    /** The text of an element the live overview keeps replacing: read whole, again while it is being swapped. */
    private String liveText(By by, java.util.function.Predicate<String> until) {
        return liveText(by, until, Duration.ofSeconds(20));
    }

    private String liveText(By by, java.util.function.Predicate<String> until, Duration timeout) {
        return new WebDriverWait(browser, timeout).ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElements(by).stream().findFirst().map(WebElement::getText).filter(until).orElse(null));
    }

    private Object js(String script) {
        return ((JavascriptExecutor) browser).executeScript(script);
    }

    /**
     * The overview as an operator sees it, into target/ always, and where {@code -Dclaw4j.console.screenshot}
     * says (relative to the project), e.g. docs/console.png for the README.
     */
    private void screenshotOfTheOverview() throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.createDirectories(TARGET);
        Files.write(TARGET.resolve("console-overview.png"), png);
        String wanted = System.getProperty("claw4j.console.screenshot");
        if (wanted != null && !wanted.isBlank()) {
            Path to = Path.of(System.getProperty("claw4j.home", "..")).resolve(wanted);
            Files.createDirectories(to.toAbsolutePath().getParent());
            Files.write(to, png);
        }
    }

    /** Keeps what the browser showed when a step failed, under app/target/console-failures/. */
    static final class ScreenshotOnFailure implements TestWatcher {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (context.getTestInstance().orElse(null) instanceof ConsoleBrowserIT it && it.browser != null) {
                try {
                    Path dir = TARGET.resolve("console-failures");
                    Files.createDirectories(dir);
                    Path file = dir.resolve(context.getRequiredTestMethod().getName() + ".png");
                    Files.write(file, ((TakesScreenshot) it.browser).getScreenshotAs(OutputType.BYTES));
                    Files.writeString(dir.resolve(context.getRequiredTestMethod().getName() + ".html"),
                            it.browser.getPageSource());
                    System.out.println("[console] screenshot of the failure: " + file.toAbsolutePath());
                } catch (Exception e) {
                    System.out.println("[console] no screenshot of the failure: " + e);
                }
            }
        }
    }
}
