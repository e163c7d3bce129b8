from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Protection center cases")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from cases.middleware import remember_staff_language

        user_logged_in.connect(remember_staff_language, dispatch_uid="remember_staff_language")
