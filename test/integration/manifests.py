"""Manifests the integration tests apply. Every pod template carries a node selector no node
matches, so the objects behave the same whether or not controllers, a scheduler or a node agent
run inside the server (pods stay Pending, nothing becomes ready)."""

import json

NEVER = {"skiff-test/never": "true"}


def _y(value):
    """Inline YAML (JSON is YAML) for small maps and lists."""
    return json.dumps(value)


def deployment(name, replicas=2, image="nginx:1.27", labels=None, extra_containers=(),
               namespace=None, strategy=None):
    labels = labels or {"app": name}
    ns = f"\n  namespace: {namespace}" if namespace else ""
    containers = [{"name": "web", "image": image}] + list(extra_containers)
    strat = f"\n  strategy: {_y(strategy)}" if strategy else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{ns}
  labels: {_y(labels)}
spec:
  replicas: {replicas}{strat}
  selector:
    matchLabels: {_y(labels)}
  template:
    metadata:
      labels: {_y(labels)}
    spec:
      nodeSelector: {_y(NEVER)}
      containers: {_y(containers)}
"""


def statefulset(name, replicas=1, image="busybox:1.36"):
    return f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {name}
  labels: {{"app": "{name}"}}
spec:
  serviceName: {name}
  replicas: {replicas}
  selector:
    matchLabels: {{"app": "{name}"}}
  template:
    metadata:
      labels: {{"app": "{name}"}}
    spec:
      nodeSelector: {_y(NEVER)}
      containers:
      - name: main
        image: {image}
        command: ["sleep", "3600"]
"""


def daemonset(name, image="busybox:1.36"):
    return f"""apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
  labels: {{"app": "{name}"}}
spec:
  selector:
    matchLabels: {{"app": "{name}"}}
  template:
    metadata:
      labels: {{"app": "{name}"}}
    spec:
      nodeSelector: {_y(NEVER)}
      containers:
      - name: main
        image: {image}
        command: ["sleep", "3600"]
"""


def pvc(name, tier="standard", size="1Gi"):
    return f"""apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: {name}
  labels: {{"tier": "{tier}"}}
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: {size}
"""


def configmap(name, data, labels=None):
    lab = f"\n  labels: {_y(labels)}" if labels else ""
    return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}{lab}
data: {_y(data)}
"""


def node(name, labels=None):
    labels = labels or {"kubernetes.io/hostname": name}
    return f"""apiVersion: v1
kind: Node
metadata:
  name: {name}
  labels: {_y(labels)}
"""


def join(*docs):
    return "---\n".join(docs)


def workloads(image="nginx:1.27", sts_replicas=1, ds_image="busybox:1.36", pvc_tier="standard",
              cm_mode="one"):
    """The five kinds of the apply acceptance test, in this order."""
    return join(deployment("web", image=image),
                statefulset("db", replicas=sts_replicas),
                daemonset("agent", image=ds_image),
                pvc("data", tier=pvc_tier),
                configmap("settings", {"mode": cm_mode}))


WORKLOAD_NAMES = ["deployment.apps/web", "statefulset.apps/db", "daemonset.apps/agent",
                  "persistentvolumeclaim/data", "configmap/settings"]


def other_namespaced_kinds(ns):
    """One object of each remaining namespaced kind Skiff serves."""
    return join(
        f"""apiVersion: v1
kind: Pod
metadata:
  name: pod1
  labels: {{"app": "pod1"}}
spec:
  nodeSelector: {_y(NEVER)}
  containers:
  - name: main
    image: busybox:1.36
    command: ["sleep", "3600"]
""",
        """apiVersion: v1
kind: Secret
metadata:
  name: sec
type: Opaque
data: {"a": "MQ==", "b": "Mg=="}
""",
        """apiVersion: v1
kind: Service
metadata:
  name: svc
spec:
  selector: {"app": "web"}
  ports:
  - port: 80
    targetPort: 8080
""",
        """apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa1
""",
        """apiVersion: v1
kind: Endpoints
metadata:
  name: ep1
subsets:
- addresses: [{"ip": "10.0.0.1"}]
  ports: [{"port": 80}]
""",
        f"""apiVersion: v1
kind: ReplicationController
metadata:
  name: rc1
spec:
  replicas: 1
  selector: {{"app": "rc1"}}
  template:
    metadata:
      labels: {{"app": "rc1"}}
    spec:
      nodeSelector: {_y(NEVER)}
      containers:
      - name: main
        image: busybox:1.36
""",
        f"""apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: rs1
spec:
  replicas: 1
  selector:
    matchLabels: {{"app": "rs1"}}
  template:
    metadata:
      labels: {{"app": "rs1"}}
    spec:
      nodeSelector: {_y(NEVER)}
      containers:
      - name: main
        image: busybox:1.36
""",
        """apiVersion: apps/v1
kind: ControllerRevision
metadata:
  name: rev1
revision: 1
data: {"spec": {"template": {"$patch": "replace"}}}
""",
        """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: pdb1
spec:
  minAvailable: 1
  selector:
    matchLabels: {"app": "web"}
""",
        """apiVersion: coordination.k8s.io/v1
kind: Lease
metadata:
  name: lease1
spec:
  holderIdentity: holder-a
""",
        f"""apiVersion: v1
kind: Event
metadata:
  name: ev1
involvedObject:
  kind: Pod
  name: pod1
  namespace: {ns}
reason: Testing
message: hello from the test
type: Normal
source:
  component: skiff-test
""")


def cluster_kinds(suffix):
    return join(
        node(f"n-{suffix}"),
        f"""apiVersion: v1
kind: PersistentVolume
metadata:
  name: pv-{suffix}
spec:
  capacity:
    storage: 1Gi
  accessModes: ["ReadWriteOnce"]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: sc-{suffix}
  hostPath:
    path: /tmp/skiff-it-pv-{suffix}
""",
        f"""apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: sc-{suffix}
provisioner: example.com/none
reclaimPolicy: Delete
volumeBindingMode: WaitForFirstConsumer
""")
