#include "skiff/api/protobuf/protobuf.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "skiff/api/protobuf/message_table.h"
#include "skiff/api/protobuf/well_known.h"
#include "skiff/api/resources.h"
#include "skiff/base/strings.h"

namespace skiff::api::protobuf {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;

// A minimal protobuf writer: just enough to build the bodies kubectl sends.
class Pb {
 public:
  Pb& Varint(uint32_t field, uint64_t v) {
    Key(field, 0);
    PutVarint(v);
    return *this;
  }
  Pb& Int(uint32_t field, int64_t v) { return Varint(field, static_cast<uint64_t>(v)); }
  Pb& Str(uint32_t field, std::string_view s) {
    Key(field, 2);
    PutVarint(s.size());
    out_.append(s);
    return *this;
  }
  Pb& Msg(uint32_t field, const Pb& m) { return Str(field, m.out_); }
  Pb& Fixed64(uint32_t field, uint64_t v) {
    Key(field, 1);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  Pb& Fixed32(uint32_t field, uint32_t v) {
    Key(field, 5);
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  // A map<string, string> or map<string, bytes> entry.
  Pb& Entry(uint32_t field, std::string_view key, std::string_view value) {
    return Msg(field, Pb().Str(1, key).Str(2, value));
  }
  Pb& Entry(uint32_t field, std::string_view key, const Pb& value) {
    return Msg(field, Pb().Str(1, key).Msg(2, value));
  }
  Pb& Bytes(std::string_view raw) {
    out_.append(raw);
    return *this;
  }
  Pb& Key(uint32_t field, int wire_type) {
    PutVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
    return *this;
  }
  const std::string& bytes() const { return out_; }

 private:
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }

  std::string out_;
};

const std::string kMagic("k8s\0", 4);

// The envelope as Kubernetes' protobuf serializer writes it, empty strings included.
std::string Envelope(std::string_view api_version, std::string_view kind, const Pb& object) {
  return kMagic + Pb().Msg(1, Pb().Str(1, api_version).Str(2, kind))
                      .Msg(2, object)
                      .Str(3, "")
                      .Str(4, "")
                      .bytes();
}

// ObjectMeta as go-to-protobuf writes a client-built one: every non-pointer field present.
Pb Meta(std::string_view name, std::string_view ns = "") {
  return Pb().Str(1, name).Str(2, "").Str(3, ns).Str(4, "").Str(5, "").Str(6, "").Varint(7, 0).Msg(
      8, Pb());
}

// A Container's always-written fields.
Pb Container(std::string_view name, std::string_view image) {
  return Pb()
      .Str(1, name)
      .Str(2, image)
      .Str(5, "")
      .Str(13, "")
      .Str(14, "")
      .Varint(16, 0)
      .Varint(17, 0)
      .Varint(18, 0)
      .Str(20, "");
}

// A PodSpec's always-written fields.
Pb PodSpecBase() {
  return Pb()
      .Str(3, "")
      .Str(6, "")
      .Str(8, "")
      .Str(9, "")
      .Str(10, "")
      .Varint(11, 0)
      .Varint(12, 0)
      .Varint(13, 0)
      .Str(16, "")
      .Str(17, "")
      .Str(19, "")
      .Str(24, "");
}

Pb IntOrStringInt(int32_t v) { return Pb().Varint(1, 0).Int(2, v).Str(3, ""); }
Pb IntOrStringStr(std::string_view s) { return Pb().Varint(1, 1).Varint(2, 0).Str(3, s); }
Pb Quantity(std::string_view s) { return Pb().Str(1, s); }

json::value Decoded(const std::string& body) {
  auto got = DecodeObject(body);
  EXPECT_TRUE(got.ok()) << got.status();
  return got.ok() ? *got : json::value();
}

void ExpectDecodes(const std::string& body, std::string_view want) {
  json::value got = Decoded(body);
  EXPECT_EQ(got, json::parse(json::string_view(want.data(), want.size()))) << json::serialize(got);
}

std::string ErrorOf(const std::string& body) {
  auto got = DecodeObject(body);
  EXPECT_FALSE(got.ok()) << json::serialize(*got);
  if (got.ok()) return "";
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
  return std::string(base::Std(got.status().message()));
}

TEST(ProtobufTableTest, ParsesAndCoversEveryServedKind) {
  ASSERT_TRUE(TableStatus().ok()) << TableStatus();
  for (const ResourceInfo& r : AllResources()) {
    EXPECT_NE(internal::FindRoot(r.GroupVersion(), r.kind), nullptr)
        << r.GroupVersion() << " " << r.kind;
  }
  EXPECT_NE(internal::FindRoot("v1", "Binding"), nullptr);
  EXPECT_NE(internal::FindRoot("policy/v1", "Eviction"), nullptr);
  EXPECT_NE(internal::FindRoot("policy/v1beta1", "Eviction"), nullptr);
  EXPECT_NE(internal::FindRoot("autoscaling/v1", "Scale"), nullptr);
  EXPECT_NE(internal::FindRoot("v1", "DeleteOptions"), nullptr);
  EXPECT_NE(internal::FindRoot("meta.k8s.io/v1", "DeleteOptions"), nullptr);
  EXPECT_EQ(internal::FindRoot("v1", "Deployment"), nullptr);
}

TEST(DecodeObjectTest, NamespaceAsKubectlCreateSendsIt) {
  std::string body =
      Envelope("v1", "Namespace", Pb().Msg(1, Meta("t2")).Msg(2, Pb()).Msg(3, Pb().Str(1, "")));
  json::value got = Decoded(body);
  // Key order follows Kubernetes: kind, apiVersion, then the Go struct order.
  EXPECT_EQ(json::serialize(got),
            R"({"kind":"Namespace","apiVersion":"v1","metadata":{"name":"t2",)"
            R"("creationTimestamp":null},"spec":{},"status":{}})");
}

TEST(DecodeObjectTest, ConfigMapDataAndBinaryData) {
  Pb meta = Meta("c", "default").Entry(11, "app", "web").Entry(12, "note", "x");
  std::string body = Envelope("v1", "ConfigMap",
                              Pb().Msg(1, meta)
                                  .Entry(2, "a", "b")
                                  .Entry(2, "empty", "")
                                  .Entry(3, "blob", std::string("\x00\xff\x10", 3))
                                  .Varint(4, 1));
  ExpectDecodes(body, R"({
    "kind": "ConfigMap", "apiVersion": "v1",
    "metadata": {"name": "c", "namespace": "default", "creationTimestamp": null,
                 "labels": {"app": "web"}, "annotations": {"note": "x"}},
    "immutable": true,
    "data": {"a": "b", "empty": ""},
    "binaryData": {"blob": "AP8Q"}
  })");
}

TEST(DecodeObjectTest, SecretDataIsBase64) {
  std::string body = Envelope(
      "v1", "Secret",
      Pb().Msg(1, Meta("s")).Entry(2, "p", "q").Entry(4, "plain", "text").Str(3, "Opaque"));
  ExpectDecodes(body, R"({
    "kind": "Secret", "apiVersion": "v1",
    "metadata": {"name": "s", "creationTimestamp": null},
    "data": {"p": "cQ=="}, "stringData": {"plain": "text"}, "type": "Opaque"
  })");
}

TEST(DecodeObjectTest, DeploymentWithFullPodTemplate) {
  Pb container =
      Container("web", "busybox:1.36")
          .Str(3, "sh")
          .Str(4, "-c")
          .Str(4, "sleep 3600")
          .Msg(6, Pb().Str(1, "http").Varint(2, 0).Varint(3, 8080).Str(4, "TCP").Str(5, ""))
          .Msg(7, Pb().Str(1, "X").Str(2, "1"))
          .Msg(7, Pb().Str(1, "POD").Str(2, "").Msg(
                      3, Pb().Msg(1, Pb().Str(1, "v1").Str(2, "metadata.name"))))
          .Msg(8, Pb().Entry(1, "cpu", Quantity("500m"))
                      .Entry(1, "memory", Quantity("128Mi"))
                      .Entry(2, "cpu", Quantity("100m")))
          .Msg(10, Pb().Msg(1, Pb().Msg(2, Pb().Str(1, "/healthz")
                                               .Msg(2, IntOrStringStr("http"))
                                               .Str(3, "")
                                               .Str(4, "HTTP")))
                       .Varint(2, 5)
                       .Varint(3, 0)
                       .Varint(4, 0)
                       .Varint(5, 0)
                       .Varint(6, 0))
          .Msg(11,
               Pb().Msg(1, Pb().Msg(3, Pb().Msg(1, IntOrStringInt(8080)).Str(2, ""))).Varint(4, 10))
          .Msg(15, Pb().Varint(5, 1).Int(4, 1000).Varint(6, 0));
  Pb template_spec = PodSpecBase().Msg(2, container).Int(4, 30).Entry(7, "disk", "ssd");
  Pb template_meta = Meta("").Entry(11, "app", "d");
  Pb spec = Pb().Varint(1, 2)
                .Msg(2, Pb().Entry(1, "app", "d"))
                .Msg(3, Pb().Msg(1, template_meta).Msg(2, template_spec))
                .Msg(4, Pb().Str(1, "RollingUpdate")
                            .Msg(2, Pb().Msg(1, IntOrStringStr("25%")).Msg(2, IntOrStringInt(1))))
                .Varint(5, 0)
                .Varint(7, 0);
  Pb status = Pb().Varint(1, 0).Varint(2, 0).Varint(3, 0).Varint(4, 0).Varint(5, 0).Varint(7, 0);
  std::string body =
      Envelope("apps/v1", "Deployment",
               Pb().Msg(1, Meta("d", "default").Entry(11, "app", "d")).Msg(2, spec).Msg(3, status));
  ExpectDecodes(body, R"({
    "kind": "Deployment", "apiVersion": "apps/v1",
    "metadata": {"name": "d", "namespace": "default", "creationTimestamp": null,
                 "labels": {"app": "d"}},
    "spec": {
      "replicas": 2,
      "selector": {"matchLabels": {"app": "d"}},
      "template": {
        "metadata": {"creationTimestamp": null, "labels": {"app": "d"}},
        "spec": {
          "containers": [{
            "name": "web", "image": "busybox:1.36",
            "command": ["sh"], "args": ["-c", "sleep 3600"],
            "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
            "env": [{"name": "X", "value": "1"},
                    {"name": "POD", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                               "fieldPath": "metadata.name"}}}],
            "resources": {"limits": {"cpu": "500m", "memory": "128Mi"},
                          "requests": {"cpu": "100m"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http", "scheme": "HTTP"},
                              "initialDelaySeconds": 5},
            "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 10},
            "securityContext": {"runAsNonRoot": true, "runAsUser": 1000,
                                "readOnlyRootFilesystem": false}
          }],
          "terminationGracePeriodSeconds": 30,
          "nodeSelector": {"disk": "ssd"}
        }
      },
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 1}}
    },
    "status": {}
  })");
}

TEST(DecodeObjectTest, PointerZerosAreKeptAndValueZerosDropped) {
  // replicas is a *int32 (kept at 0); minReadySeconds an omitempty int32 (dropped at 0).
  std::string body = Envelope(
      "apps/v1", "ReplicaSet",
      Pb().Msg(1, Meta("r")).Msg(2, Pb().Varint(1, 0).Varint(4, 0)).Msg(3, Pb().Varint(1, 0)));
  ExpectDecodes(body, R"({
    "kind": "ReplicaSet", "apiVersion": "apps/v1",
    "metadata": {"name": "r", "creationTimestamp": null},
    "spec": {"replicas": 0},
    "status": {"replicas": 0}
  })");
}

TEST(DecodeObjectTest, ServiceWithIntAndNamedTargetPorts) {
  Pb spec = Pb().Msg(1, Pb().Str(1, "80-8080")
                            .Str(2, "TCP")
                            .Varint(3, 80)
                            .Msg(4, IntOrStringInt(8080))
                            .Varint(5, 0))
                .Msg(1, Pb().Str(1, "web")
                            .Str(2, "TCP")
                            .Varint(3, 443)
                            .Msg(4, IntOrStringStr("https"))
                            .Varint(5, 0))
                .Entry(2, "app", "s1")
                .Str(3, "")
                .Str(4, "ClusterIP")
                .Str(7, "")
                .Str(8, "")
                .Str(10, "")
                .Str(11, "")
                .Varint(12, 0)
                .Varint(13, 0);
  std::string body = Envelope(
      "v1", "Service",
      Pb().Msg(1, Meta("s1").Entry(11, "app", "s1")).Msg(2, spec).Msg(3, Pb().Msg(1, Pb())));
  ExpectDecodes(body, R"({
    "kind": "Service", "apiVersion": "v1",
    "metadata": {"name": "s1", "creationTimestamp": null, "labels": {"app": "s1"}},
    "spec": {
      "ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080},
                {"name": "web", "protocol": "TCP", "port": 443, "targetPort": "https"}],
      "selector": {"app": "s1"},
      "type": "ClusterIP"
    },
    "status": {"loadBalancer": {}}
  })");
}

TEST(DecodeObjectTest, PodAsKubectlRunSendsIt) {
  Pb container = Container("p", "busybox:1.36")
                     .Str(4, "sleep")
                     .Str(4, "3600")
                     .Msg(7, Pb().Str(1, "X").Str(2, "1"))
                     .Msg(8, Pb());
  Pb spec = PodSpecBase().Msg(2, container);
  spec = Pb().Bytes(spec.bytes()).Str(3, "Always").Str(6, "ClusterFirst");
  std::string body = Envelope(
      "v1", "Pod", Pb().Msg(1, Meta("p").Entry(11, "a", "b")).Msg(2, spec).Msg(3, Pb().Str(1, "")));
  ExpectDecodes(body, R"({
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {"name": "p", "creationTimestamp": null, "labels": {"a": "b"}},
    "spec": {
      "containers": [{"name": "p", "image": "busybox:1.36", "args": ["sleep", "3600"],
                      "env": [{"name": "X", "value": "1"}], "resources": {}}],
      "restartPolicy": "Always",
      "dnsPolicy": "ClusterFirst"
    },
    "status": {}
  })");
}

TEST(DecodeObjectTest, EvictionWithDeleteOptions) {
  Pb options = Pb().Int(1, 0).Msg(2, Pb().Str(1, "uid-1")).Str(4, "Background").Str(5, "All");
  std::string body =
      Envelope("policy/v1", "Eviction", Pb().Msg(1, Meta("p", "default")).Msg(2, options));
  ExpectDecodes(body, R"({
    "kind": "Eviction", "apiVersion": "policy/v1",
    "metadata": {"name": "p", "namespace": "default", "creationTimestamp": null},
    "deleteOptions": {"gracePeriodSeconds": 0, "preconditions": {"uid": "uid-1"},
                      "propagationPolicy": "Background", "dryRun": ["All"]}
  })");
}

TEST(DecodeObjectTest, BindingTarget) {
  std::string body = Envelope(
      "v1", "Binding",
      Pb().Msg(1, Meta("p", "default")).Msg(2, Pb().Str(1, "Node").Str(3, "n1").Str(5, "v1")));
  ExpectDecodes(body, R"({
    "kind": "Binding", "apiVersion": "v1",
    "metadata": {"name": "p", "namespace": "default", "creationTimestamp": null},
    "target": {"kind": "Node", "name": "n1", "apiVersion": "v1"}
  })");
}

TEST(DecodeObjectTest, TimestampsAndManagedFields) {
  Pb meta = Pb().Str(1, "l")
                .Msg(8, Pb().Int(1, 1795813548).Varint(2, 0))
                .Msg(9, Pb().Int(1, 1795813548))
                .Int(10, 30)
                .Msg(17, Pb().Str(1, "kubectl")
                             .Str(2, "Apply")
                             .Str(3, "v1")
                             .Msg(4, Pb().Int(1, 1795813548))
                             .Str(6, "FieldsV1")
                             .Msg(7, Pb().Str(1, R"({"f:spec":{}})")));
  Pb spec = Pb().Str(1, "holder")
                .Varint(2, 15)
                .Msg(3, Pb().Int(1, 1795813548).Int(2, 123456789))
                .Msg(4, Pb().Int(1, internal::kGoZeroTimeSeconds))
                .Varint(5, 0);
  ExpectDecodes(Envelope("coordination.k8s.io/v1", "Lease", Pb().Msg(1, meta).Msg(2, spec)), R"({
    "kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
    "metadata": {"name": "l", "creationTimestamp": "2026-11-27T21:05:48Z",
                 "deletionTimestamp": "2026-11-27T21:05:48Z", "deletionGracePeriodSeconds": 30,
                 "managedFields": [{"manager": "kubectl", "operation": "Apply", "apiVersion": "v1",
                                    "time": "2026-11-27T21:05:48Z", "fieldsType": "FieldsV1",
                                    "fieldsV1": {"f:spec": {}}}]},
    "spec": {"holderIdentity": "holder", "leaseDurationSeconds": 15,
             "acquireTime": "2026-11-27T21:05:48.123456Z", "renewTime": null,
             "leaseTransitions": 0}
  })");
}

TEST(DecodeObjectTest, RawExtensionHoldsJsonOrAnEmbeddedObject) {
  std::string inner = Envelope("v1", "ConfigMap", Pb().Msg(1, Meta("inner")));
  ExpectDecodes(Envelope("apps/v1", "ControllerRevision",
                         Pb().Msg(1, Meta("r1")).Msg(2, Pb().Str(1, R"({"a":[1,2]})")).Int(3, 7)),
                R"({"kind": "ControllerRevision", "apiVersion": "apps/v1",
                    "metadata": {"name": "r1", "creationTimestamp": null},
                    "data": {"a": [1, 2]}, "revision": 7})");
  ExpectDecodes(Envelope("apps/v1", "ControllerRevision",
                         Pb().Msg(1, Meta("r2")).Msg(2, Pb().Str(1, inner)).Int(3, 1)),
                R"({"kind": "ControllerRevision", "apiVersion": "apps/v1",
                    "metadata": {"name": "r2", "creationTimestamp": null},
                    "data": {"kind": "ConfigMap", "apiVersion": "v1",
                             "metadata": {"name": "inner", "creationTimestamp": null}},
                    "revision": 1})");
}

TEST(DecodeObjectTest, InlinedVolumeSourcesAndPackedInts) {
  Pb volumes = Pb().Msg(1, Pb().Str(1, "cfg").Msg(
                               2, Pb().Msg(19, Pb().Msg(1, Pb().Str(1, "c")).Varint(3, 0644))))
                   .Msg(1, Pb().Str(1, "tmp").Msg(
                               2, Pb().Msg(2, Pb().Str(1, "Memory").Msg(2, Quantity("1Gi")))));
  // supplementalGroups once packed, once as separate varints: both decode.
  Pb security = Pb().Key(4, 2).Bytes("\x02\x05\x06").Varint(4, 7);
  Pb spec = PodSpecBase().Bytes(volumes.bytes()).Msg(14, security);
  ExpectDecodes(Envelope("v1", "Pod", Pb().Msg(1, Meta("p")).Msg(2, spec)), R"({
    "kind": "Pod", "apiVersion": "v1",
    "metadata": {"name": "p", "creationTimestamp": null},
    "spec": {
      "volumes": [{"name": "cfg", "configMap": {"name": "c", "defaultMode": 420}},
                  {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "1Gi"}}],
      "securityContext": {"supplementalGroups": [5, 6, 7]}
    }
  })");
}

TEST(DecodeObjectTest, UnknownFieldsOfEveryWireTypeAreSkipped) {
  Pb meta = Meta("t2")
                .Varint(99, 12345)
                .Fixed64(98, 1)
                .Fixed32(97, 2)
                .Str(96, "ignored")
                .Key(95, 3)
                .Varint(1, 7)
                .Key(95, 4);
  ExpectDecodes(Envelope("v1", "Namespace", Pb().Msg(1, meta).Varint(50, 1)), R"({
    "kind": "Namespace", "apiVersion": "v1",
    "metadata": {"name": "t2", "creationTimestamp": null}
  })");
}

TEST(DecodeObjectTest, RepeatedSingularMessagesMerge) {
  // Protobuf merges a singular message field that appears twice.
  std::string body = Envelope("v1", "Namespace",
                              Pb().Msg(1, Pb().Str(1, "a").Entry(11, "x", "1"))
                                  .Msg(1, Pb().Str(3, "ns").Entry(11, "y", "2")));
  ExpectDecodes(body, R"({
    "kind": "Namespace", "apiVersion": "v1",
    "metadata": {"name": "a", "namespace": "ns", "labels": {"x": "1", "y": "2"}}
  })");
}

TEST(DecodeObjectTest, MapEntriesWithoutValuesAndInvalidUtf8) {
  Pb meta = Pb().Str(1, "c").Msg(11, Pb().Str(1, "k")).Entry(12, "bad", "a\xff");
  ExpectDecodes(Envelope("v1", "ConfigMap", Pb().Msg(1, meta)), R"({
    "kind": "ConfigMap", "apiVersion": "v1",
    "metadata": {"name": "c", "labels": {"k": ""}, "annotations": {"bad": "a\ufffd"}}
  })");
}

TEST(DecodeObjectTest, PdbWithIntOrStringAndTimeMap) {
  Pb spec = Pb().Msg(1, IntOrStringInt(1)).Msg(2, Pb().Entry(1, "app", "d"));
  Pb status = Pb().Varint(1, 0)
                  .Entry(2, "p-1", Pb().Int(1, 1795813548))
                  .Varint(3, 0)
                  .Varint(4, 0)
                  .Varint(5, 0)
                  .Varint(6, 0);
  ExpectDecodes(Envelope("policy/v1", "PodDisruptionBudget",
                         Pb().Msg(1, Meta("p1")).Msg(2, spec).Msg(3, status)),
                R"({
    "kind": "PodDisruptionBudget", "apiVersion": "policy/v1",
    "metadata": {"name": "p1", "creationTimestamp": null},
    "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "d"}}},
    "status": {"disruptedPods": {"p-1": "2026-11-27T21:05:48Z"}, "disruptionsAllowed": 0,
               "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}
  })");
}

TEST(DecodeObjectTest, EventsV1AndCoreEventAreDistinct) {
  ExpectDecodes(Envelope("events.k8s.io/v1", "Event",
                         Pb().Msg(1, Pb().Str(1, "e")).Msg(2, Pb()).Str(10, "hello").Varint(15, 3)),
                R"({"kind": "Event", "apiVersion": "events.k8s.io/v1", "metadata": {"name": "e"},
                    "eventTime": null, "note": "hello", "deprecatedCount": 3})");
  ExpectDecodes(Envelope("v1", "Event", Pb().Msg(1, Pb().Str(1, "e")).Str(4, "hello").Varint(8, 3)),
                R"({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "e"},
                    "message": "hello", "count": 3})");
}

TEST(DecodeObjectTest, MalformedEnvelopes) {
  EXPECT_THAT(ErrorOf(""), HasSubstr("prefix"));
  EXPECT_THAT(ErrorOf("k8s"), HasSubstr("prefix"));
  EXPECT_THAT(ErrorOf(R"({"kind":"Namespace"})"), HasSubstr("prefix"));
  EXPECT_THAT(ErrorOf(kMagic), HasSubstr("names no kind"));
  EXPECT_THAT(ErrorOf(kMagic + "\x0a"), HasSubstr("truncated varint"));
  EXPECT_THAT(ErrorOf(kMagic + "\x0a\x05"
                               "ab"),
              HasSubstr("runs past the end"));
  EXPECT_THAT(ErrorOf(kMagic + "\x08\x01"), HasSubstr("envelope field 1 has wire type varint"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Foo", Pb())),
              HasSubstr("no kind \"Foo\" is registered for version \"v1\""));
  EXPECT_THAT(ErrorOf(Envelope("apps/v1", "Namespace", Pb())),
              HasSubstr("no kind \"Namespace\" is registered for version \"apps/v1\""));
  std::string gzip =
      kMagic +
      Pb().Msg(1, Pb().Str(1, "v1").Str(2, "Namespace")).Msg(2, Pb()).Str(3, "gzip").bytes();
  EXPECT_THAT(ErrorOf(gzip), HasSubstr("content encoding \"gzip\" is not supported"));
}

TEST(DecodeObjectTest, MalformedMessages) {
  // Field number 0, wire types 6 and 7, an 11-byte varint.
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Bytes(std::string(1, '\0')))),
              HasSubstr("invalid field number 0"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Bytes("\x0e"))),
              HasSubstr("invalid wire type 6"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace",
                               Pb().Bytes("\x38\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))),
              HasSubstr("varint longer than 10 bytes"));
  // A known field with the wrong wire type.
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Varint(1, 1))),
              HasSubstr("field 1 (metadata) has wire type varint, want length-delimited"));
  EXPECT_THAT(
      ErrorOf(Envelope("v1", "Namespace", Pb().Msg(1, Pb().Str(7, "x")))),
      HasSubstr("at metadata.generation: field 7 (generation) has wire type length-delimited, "
                "want varint"));
  // Groups: unterminated, mismatched, stray end.
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Key(90, 3).Varint(1, 1))),
              HasSubstr("unterminated group"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Key(90, 3).Key(91, 4))),
              HasSubstr("ended by field 91"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Key(90, 4))),
              HasSubstr("unexpected end-group"));
  // Bad well-known values.
  EXPECT_THAT(
      ErrorOf(Envelope("v1", "Service", Pb().Msg(2, Pb().Msg(1, Pb().Msg(4, Pb().Varint(1, 7)))))),
      HasSubstr("at spec.ports[0].targetPort: IntOrString has type 7"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace",
                               Pb().Msg(1, Pb().Msg(8, Pb().Int(1, INT64_C(400000000000)))))),
              HasSubstr("outside years 0-9999"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace",
                               Pb().Msg(1, Pb().Msg(17, Pb().Msg(7, Pb().Str(1, "{nope")))))),
              HasSubstr("at metadata.managedFields[0].fieldsV1: embedded JSON is invalid"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "Namespace", Pb().Msg(1, Pb().Msg(8, Pb().Str(1, "x"))))),
              HasSubstr("Timestamp field 1 has wire type length-delimited, want varint"));
  EXPECT_THAT(ErrorOf(Envelope("v1", "ConfigMap", Pb().Msg(1, Pb().Msg(11, Pb().Varint(1, 1))))),
              HasSubstr("map key has wire type varint"));
}

TEST(DecodeObjectTest, TruncatedNestedFieldNamesItsPath) {
  // The container's ports field announces 16 bytes and sends none.
  std::string broken = Container("web", "busybox").bytes() + "\x32\x10";
  Pb spec = Pb().Msg(3, Pb().Msg(2, Pb().Str(2, broken)));
  std::string message =
      ErrorOf(Envelope("apps/v1", "Deployment", Pb().Msg(1, Meta("d")).Msg(2, spec)));
  EXPECT_THAT(message, HasSubstr("invalid protobuf body for Deployment at "
                                 "spec.template.spec.containers[0].ports[0]: length 16"));
}

TEST(DecodeObjectTest, NestingIsBounded) {
  // ControllerRevisions embedding each other through RawExtension, far deeper than any object.
  std::string body = Envelope("apps/v1", "ControllerRevision", Pb());
  for (int i = 0; i < 200; ++i) {
    body = Envelope("apps/v1", "ControllerRevision", Pb().Msg(2, Pb().Str(1, body)));
  }
  EXPECT_THAT(ErrorOf(body), HasSubstr("nested too deeply"));
}

TEST(DecodeObjectTest, EveryTruncationAndByteFlipFailsCleanly) {
  Pb spec = Pb().Varint(1, 2).Msg(3, Pb().Msg(1, Meta("").Entry(11, "app", "d"))
                                         .Msg(2, PodSpecBase().Msg(2, Container("c", "img"))));
  const std::string body =
      Envelope("apps/v1", "Deployment", Pb().Msg(1, Meta("d", "default")).Msg(2, spec));
  ASSERT_TRUE(DecodeObject(body).ok());
  for (size_t n = 0; n < body.size(); ++n) {
    auto got = DecodeObject(body.substr(0, n));
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    }
  }
  for (size_t i = 0; i < body.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = body;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      auto got = DecodeObject(flipped);
      if (!got.ok()) {
        EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
      }
    }
  }
}

}  // namespace
}  // namespace skiff::api::protobuf
