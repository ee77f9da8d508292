#!/usr/bin/env python3
"""The main journeys of the portal and the back office in a real Chromium, driven by
selenium: a person's clicks and keys on `recur serve` with its demo data.

1. Buy Workspace Standard yearly with 5 users, 10 GB extra storage and two promotions;
   pay by card through the Stripe simulator; see the invoice paid; download its PDF.
2. Upgrade to Premium (prorated) and buy Operation Process co-terminated with Workspace,
   to be paid by bank transfer: the invoice shows the transfer code and the VietQR code.
3. Staff signs in to the back office and records that bank transfer: the invoice is paid.
4. Top up prepaid phone credit (002): price it, buy it, pay by card, see the balance.

Usage: journeys.py RECUR_BINARY [SCREENSHOT_DIR]. Exits non-zero on the first failure.
"""
import os, re, socket, subprocess, sys, tempfile, time, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.support.ui import WebDriverWait

binary = sys.argv[1]
shots = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] else tempfile.mkdtemp(prefix="recur-shots-")
os.makedirs(shots, exist_ok=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port = free_port()
base = f"http://127.0.0.1:{port}"
db = tempfile.mktemp(prefix="recur-journeys-", suffix=".sqlite")
env = dict(os.environ, RECUR_PUBLIC_URL=base, RECUR_PAYMENTS_SANDBOX="1")
server = subprocess.Popen([binary, "serve", "--port", str(port), "--database-url", f"sqlite:{db}"], env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
for _ in range(200):
    try:
        urllib.request.urlopen(base + "/health", timeout=1)
        break
    except Exception:
        time.sleep(0.1)
else:
    server.kill()
    sys.exit("recur serve did not start: " + server.stdout.read().decode())

options = webdriver.ChromeOptions()
options.binary_location = "/usr/bin/chromium"
for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1600", "--lang=vi"]:
    options.add_argument(a)
driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
wait = WebDriverWait(driver, 15, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))
step = 0


def shot(name):
    global step
    step += 1
    driver.save_screenshot(os.path.join(shots, f"{step:02d}-{name}.png"))


def css(selector):
    return wait.until(lambda d: d.find_element(By.CSS_SELECTOR, selector))


def go(element):
    """Clicks something that loads a page, and waits until the new page is there."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait.until(lambda d: _stale(old))


def _stale(element):
    try:
        element.tag_name
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as e:
        # Mid-navigation Chromium may answer "Node with given id does not belong to the
        # document" instead of a stale reference: the old page is gone all the same.
        if "does not belong to the document" in str(e):
            return True
        raise


def fill(selector, value):
    e = css(selector)
    e.clear()
    e.send_keys(value)


def expect(condition, message):
    if not condition:
        shot("failure")
        raise AssertionError(message + f" (at {driver.current_url})")


def text():
    return wait.until(lambda d: d.find_element(By.TAG_NAME, "body").text)


def fetch(url):
    """GET with the browser's cookies: what "download" gives a person."""
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in driver.get_cookies())
    req = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers.get("Content-Type"), r.read()


def pay_by_card():
    """On an invoice's or checkout's pay form with Stripe chosen: pay in the simulator, come back, see it paid."""
    wait.until(lambda d: "/sandbox/stripe/pay/" in d.current_url)
    go(css("#pay"))
    wait.until(lambda d: "/payments/return/" in d.current_url)
    go(css("a.button"))
    wait.until(lambda d: "/portal/invoices/" in d.current_url)
    css('[data-test="paid"]')


try:
    # 1. Buy a plan with seats, an add-on and promotions; pay by card.
    driver.get(base + "/portal")
    go(css('[data-test="demo-an@saomai.example"]'))
    wait.until(lambda d: "Công ty TNHH Sao Mai" in d.find_element(By.TAG_NAME, "h1").text)
    driver.get(base + "/portal/plans")
    shot("plans")
    go(css('tr[data-plan="ws_standard"] a.button'))
    css('input[name="cycle"][value="12"]').click()
    fill('[data-test="seats"]', "5")
    fill('[data-test="addon-storage_10gb"]', "1")
    fill('[data-test="addon-promo"]', "STORAGE50")
    fill('[data-test="promo"]', "WELCOME10")
    go(css('[data-test="review"]'))
    total = css('[data-test="total"]').text
    expect(total == "4.540.800 ₫", f"total 4.540.800 ₫, got {total!r}")
    shot("checkout-review")
    css('input[name="gateway"][value="stripe"]').click()
    css('input[name="renewal"][value="automatic"]').click()
    css('[data-test="terms"]').click()
    go(css('[data-test="pay"]'))
    wait.until(lambda d: "/sandbox/stripe/pay/" in d.current_url)
    shot("stripe-simulator")
    go(css("#pay"))
    wait.until(lambda d: "/payments/return/" in d.current_url)
    shot("return")
    go(css("a.button"))
    wait.until(lambda d: "/portal/invoices/" in d.current_url)
    css('[data-test="paid"]')
    shot("invoice-paid")
    href = css('[data-test="download"]').get_attribute("href")
    ctype, pdf = fetch(href)
    expect(ctype == "application/pdf" and pdf[:5] == b"%PDF-", f"the invoice downloads as a PDF, got {ctype}")

    # 2. Upgrade with proration, then a dependent product co-terminated with the base.
    driver.get(base + "/portal")
    go(css('[data-test="subscription"] h2 a'))
    driver.get(driver.current_url.split("?")[0] + "/change")
    css('input[name="plan"][value="ws_premium"]').click()
    go(css('[data-test="preview"]'))
    due = css('[data-test="due-now"]').text
    expect(re.match(r"^[\d.]+ ₫$", due) is not None and due != "0 ₫", f"a prorated amount is due now, got {due!r}")
    shot("upgrade-preview")
    css('input[name="gateway"][value="stripe"]').click()
    go(css('[data-test="apply"]'))
    pay_by_card()

    driver.get(base + "/portal")
    renews = css('[data-test="end-date"]').text
    driver.get(base + "/portal/checkout?plan=op_standard&cycle=12")
    fill('[data-test="seats"]', "5")  # Operation Process has as many users as Workspace (001)
    go(css('[data-test="review"]'))
    breakdown = css('[data-test="breakdown"]').text
    end = re.search(r"– (\d\d/\d\d/\d{4})", breakdown)
    expect(end is not None, "the Operation Process line has a period")
    expect(end.group(1) == renews, f"Operation Process ends with Workspace ({renews}), got {end.group(1)}")
    shot("co-termination")
    css('input[name="gateway"][value="bank_transfer"]').click()
    css('[data-test="terms"]').click()
    go(css('[data-test="pay"]'))
    code = css('[data-test="payment-code"]').text
    expect(len(code) >= 6, "a bank-transfer code is shown")
    invoice_url = driver.current_url
    amount = css('[data-test="amount-due"]').text
    shot("bank-transfer")

    # 3. Staff records the bank transfer in the back office.
    driver.delete_all_cookies()
    driver.get(base + "/admin")
    fill('input[name="email"]', "admin@recur.example")
    fill('input[name="password"]', "recur-demo-admin")
    go(css('[data-test="sign-in"]'))
    invoice_id = invoice_url.rstrip("/").split("/")[-1]
    driver.get(base + "/admin/invoices/" + invoice_id)
    shot("admin-invoice")
    form = css('form[data-test="record-payment"]')
    form.find_element(By.CSS_SELECTOR, 'select[name="method"] option[value="bank_transfer"]').click()
    reference = form.find_element(By.CSS_SELECTOR, 'input[name="reference"]')
    reference.send_keys("FT" + code)
    go(form.find_element(By.CSS_SELECTOR, '[data-test="record-payment-button"]'))
    wait.until(lambda d: re.sub(r"\D", "", d.find_element(By.CSS_SELECTOR, '[data-test="amount-due"]').text) == "0")
    paid = css('[data-test="amount-paid"]').text
    digits = lambda t: re.sub(r"\D", "", t)  # the back office may speak another language than the portal
    expect(digits(paid) == digits(amount), f"staff recorded {amount}, the invoice shows {paid} paid")
    shot("admin-paid")

    # 4. Prepaid phone credit (002): price a top-up, buy it, pay by card, see the balance.
    driver.delete_all_cookies()
    driver.get(base + "/portal/sign-in")
    go(css('[data-test="demo-an@saomai.example"]'))
    before = css('[data-balance="phone_credit"]').text
    go(css('[data-test="top-up"]'))
    fill('input[name="quantity"]', "2")
    go(css('[data-test="see-price"]'))
    topup_total = css('[data-test="total"]').text
    expect(topup_total == "220.000 ₫", f"2 × 100.000 ₫ + 10 % VAT = 220.000 ₫, got {topup_total!r}")
    shot("top-up-price")
    go(css('[data-test="buy"]'))
    css('input[name="gateway"][value="stripe"]').click()
    go(css('[data-test="pay"]'))
    pay_by_card()
    driver.get(base + "/portal")
    after = css('[data-balance="phone_credit"]').text
    expect(before == "0 ₫" and after == "200.000 ₫", f"the phone balance goes from 0 ₫ to 200.000 ₫, got {before!r} → {after!r}")
    shot("phone-balance")
    print(f"journeys: 4 passed ({amount} recorded by staff; phone credit {after}); screenshots in {shots}")
finally:
    driver.quit()
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    for suffix in ["", "-wal", "-shm"]:
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
