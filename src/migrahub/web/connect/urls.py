"""Pages of the connect feature (included at the hub's root by `migrahub.web.urls`)."""

urlpatterns: list = []
