"""Walk a Spanish-speaking person through optout serve in headless Chromium.

Usage: kiosk.py URL DOWNLOAD_DIR SHOT_DIR WORK_DIR
Prints TAP lines for what it checks in the browser; the shell test checks
the downloaded packet.  A screenshot of each step goes to SHOT_DIR.
"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from selenium.common.exceptions import WebDriverException

url, downloads, shots, work = sys.argv[1:5]
n = 0
failed = 0


def check(desc, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print("ok %d - %s" % (n, desc))
    else:
        failed += 1
        print("not ok %d - %s" % (n, desc))
        for line in str(detail).splitlines()[:20]:
            print("# " + line)
    sys.stdout.flush()


opts = webdriver.ChromeOptions()
opts.binary_location = "/usr/bin/chromium"
for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1000,1400",
          "--user-data-dir=" + os.path.join(work, "chrome-profile"), "--lang=es"):
    opts.add_argument(a)
opts.add_experimental_option("prefs", {
    "download.default_directory": downloads,
    "download.prompt_for_download": False,
})
drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
try:
    drv.execute_cdp_cmd("Browser.setDownloadBehavior",
                        {"behavior": "allow", "downloadPath": downloads})
    step = 0

    def shot(name):
        global step
        step += 1
        drv.save_screenshot(os.path.join(shots, "%02d-%s.png" % (step, name)))

    def gone(old):
        """Whether the old page's root is gone.  While Chromium swaps documents,
        asking about the old node can fail with a general WebDriverException
        ("Node with given id does not belong to the document") rather than
        StaleElementReferenceException, which is all selenium's staleness_of expects."""
        def pred(_):
            try:
                old.is_enabled()
                return False
            except WebDriverException:
                return True
        return pred

    def loaded(d):
        """Whether the new document has finished loading (false while it is swapped in)."""
        try:
            return d.execute_script("return document.readyState") == "complete"
        except WebDriverException:
            return False

    def navigate(act):
        """Do what loads a new page (a click, Enter), and wait until the old one is gone."""
        old = drv.find_element(By.TAG_NAME, "html")
        act()
        WebDriverWait(drv, 60).until(gone(old))
        WebDriverWait(drv, 60).until(loaded)

    def click(css):
        e = drv.find_element(By.CSS_SELECTOR, css)
        navigate(e.click)

    def text():
        return drv.find_element(By.TAG_NAME, "body").text

    def fill(key, value):
        e = drv.find_element(By.ID, "f-" + key)
        e.clear()
        e.send_keys(value)

    drv.get(url)
    shot("start")
    check("the page opens in English", "Step 1 of 5" in text(), text())
    click('button[value="lang-es"]')
    shot("spanish")
    body = text()
    check("one button switches the page to Spanish", "Paso 1 de 5: quién es usted" in body, body)
    check("the question comes from the same catalogue as optout init",
          "¿Cuál es su nombre (o nombres de pila)?" in body, body)
    check("the page says which language it is in",
          drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es")
    label = drv.find_element(By.CSS_SELECTOR, 'label[for="f-given"]')
    check("each field has its label", label.text.startswith("¿Cuál es su nombre"), label.text)

    # By keyboard only: type, Tab to the next field, Enter submits.
    fill("given", "José")
    drv.find_element(By.ID, "f-given").send_keys(Keys.TAB)
    check("Tab moves to the next field",
          drv.switch_to.active_element.get_attribute("id") == "f-family")
    drv.switch_to.active_element.send_keys("Núñez Peña")
    fill("email", "jose@")
    navigate(lambda: drv.find_element(By.ID, "f-email").send_keys(Keys.ENTER))
    shot("error")
    body = text()
    check("a bad answer gets optout init's message, in Spanish",
          "Se esperaba una dirección de correo electrónico, por ejemplo nombre@example.com." in body, body)
    check("what was typed is kept", drv.find_element(By.ID, "f-family").get_attribute("value") == "Núñez Peña")
    fill("email", "")
    click("#next")
    body = text()
    check("the second step asks where the person lives", "Paso 2 de 5: dónde vive" in body, body)
    fill("street", "1234 Main St Apt 5")
    fill("city", "Los Angeles")
    fill("state", "California")
    fill("zip", "90033")
    shot("where")
    click("#next")
    body = text()
    shot("brokers")
    check("the third step chooses the companies", "Paso 3 de 5: a qué empresas" in body, body)
    lx = drv.find_element(By.ID, "b-lexisnexis-risk")
    check("a government seller is preselected", lx.is_selected())
    check("and the page says why", "Vende a agencias del gobierno." in body, body)
    check("with the sources' words marked as English",
          "Lo que dicen las fuentes (en inglés):" in body, body)
    # Keep two government sellers: fewer letters, a quicker test.
    for box in drv.find_elements(By.CSS_SELECTOR, 'input[name="broker"]'):
        if box.is_selected() and box.get_attribute("value") not in ("lexisnexis-risk", "nctue"):
            box.click()
    click("#next")
    body = text()
    shot("review")
    check("the fourth step says what is sent and what never is",
          "Paso 4 de 5: qué se envía y qué nunca se envía" in body
          and "Nunca se envían: su número de Seguro Social ni su fecha de nacimiento." in body, body)
    check("the review names the channel in Spanish", "carta por correo postal" in body, body)
    check("and what is sent, in Spanish", "Nombre completo" in body and "Dirección actual" in body, body)
    click("#next")
    body = text()
    shot("packet")
    check("the fifth step gives the packet", "Su paquete está listo." in body, body)
    check("a button opens the letters to print",
          drv.find_element(By.ID, "print").get_attribute("href").endswith("/letters.pdf"))
    drv.find_element(By.ID, "download").click()
    target = os.path.join(downloads, "optout-packet.tar")
    for _ in range(400):  # the download is local; this only bounds a broken run
        if os.path.exists(target) and not os.path.exists(target + ".crdownload"):
            break
        time.sleep(0.05)
    check("the packet is downloaded", os.path.exists(target), os.listdir(downloads))
    click("#finish")
    body = text()
    shot("finished")
    check("finishing erases the data, in Spanish",
          "Sus datos se han borrado de esta computadora. Gracias." in body, body)
    drv.get(url)
    check("after finishing, the form is empty again",
          drv.find_element(By.ID, "f-given").get_attribute("value") == "")
finally:
    drv.quit()
print("1..%d" % n)
sys.exit(1 if failed else 0)
