import pytest
from django.urls import reverse
from tests.test_views_untrusted import hostile  # noqa
import re
@pytest.mark.django_db
def test_x(staff_client, hostile):
    html = staff_client.get(reverse("admin:logs_app_llmlog_changelist")).content.decode()
    for m in re.finditer(r"<(script|img)[^>]*>", html):
        print(m.group(0), html[m.start()-200:m.start()+100].replace("\n"," "))
