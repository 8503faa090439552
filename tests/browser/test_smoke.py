from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD


def test_an_instructor_logs_in_through_the_login_page(desktop_page, instructor, cop_lesson):
    page = desktop_page

    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(instructor.username)
    page.locator("input[name=password]").fill(PASSWORD)
    screenshot(page, "login-desktop")
    with page.expect_navigation() as navigation:
        page.locator("form:has(input[name=password]) [type=submit]").click()

    landing = navigation.value
    assert "/accounts/login/" not in page.url
    assert landing.ok, f"{page.url} answered {landing.status} after logging in"
    assert any(cookie["name"] == "sessionid" for cookie in page.context.cookies())
    screenshot(page, "after-login-desktop")
