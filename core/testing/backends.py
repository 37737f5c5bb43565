"""Authentication backends for the test settings."""

from axes.backends import AxesStandaloneBackend


class AxesBackendForTests(AxesStandaloneBackend):
    """axes' backend as in production, except that it lets the test client's `login()` through: that
    passes no request, and a login without a request is no attempt over the network to count."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
