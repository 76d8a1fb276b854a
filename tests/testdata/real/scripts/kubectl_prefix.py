"""`kubectl logs --prefix [--timestamps]` of a two-container pod, saved as a user would.

The pod is served by tests/helpers/kube_api.py (a loopback API server: the
container lines and the kubelet's stamps are its); the `[pod/…/…] ` prefix,
the stamps' rendering and the order (one container after the other) are
kubectl's own. Usage: python kubectl_prefix.py OUTDIR (kubectl on PATH).
"""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
from helpers.kube_api import Container, KubeApi, ns_of, write_kubeconfig

out = Path(sys.argv[1])
api = KubeApi()
app, envoy = Container(), Container()
api.pod("web-7d9f8b6c5-x2k4q", app="web").containers = {"app": app, "envoy": envoy}
t = ns_of("2026-12-03T13:31:37Z")
received = '{"level":"info","ts":"2026-12-03T13:31:37.123Z","msg":"order received",'
access = '[2026-12-03T13:31:37.323Z] "GET /pay HTTP/1.1" 502 - 0 0 3 - "-" "curl/8.5.0"'
app.lines = [
    (t, received + '"request_id":"abc123"}'),
    (t + 500_000_000, "2026-12-03 13:31:37,623 ERROR charge failed request_id=abc123"),
    (t + 500_100_000, "Traceback (most recent call last):"),
    (t + 500_200_000, '  File "/app/pay.py", line 3, in charge'),
    (t + 500_300_000, "ValueError: card declined"),
    (t + 900_000_000, "plain print request_id=abc1234"),
]  # fmt: skip
envoy.lines = [
    (t + 200_000_000, access + ' "abc123" "web" "10.0.0.9:8080"'),
]  # fmt: skip
config = write_kubeconfig(out / ".kubeconfig", {"fake": (api.url, "shop")}, "fake")
for name, flags in [("prefix-timestamps.log", ["--timestamps"]), ("prefix.log", [])]:
    argv = ["kubectl", "--kubeconfig", str(config), "logs", "-l", "app=web"]
    argv += ["--all-containers", "--tail=-1", "--prefix", *flags]
    text = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    (out / name).write_text(text)
(out / ".kubeconfig").unlink()
api.close()
