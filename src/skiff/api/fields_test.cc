#include "skiff/api/fields.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

FieldSelector F(std::string_view s) {
  auto f = FieldSelector::Parse(s);
  EXPECT_TRUE(f.ok()) << s << ": " << f.status();
  return f.ok() ? *f : FieldSelector();
}

TEST(FieldSelectorTest, ParsesSortsAndEscapes) {
  const std::pair<std::string, std::string> cases[] = {
      {"", ""},
      {"metadata.name=x", "metadata.name=x"},
      {"b=1,a!=2", "a!=2,b=1"},
      {"a==b", "a=b"},
      {"a=x\\,y", "a=x\\,y"},
      {"a=x\\=y\\\\", "a=x\\=y\\\\"},
      {"a=", "a="},
      {"a=b,,", "a=b"},
  };
  for (const auto& [in, out] : cases) EXPECT_EQ(F(in).String(), out) << in;
  EXPECT_EQ(F("a=x\\,y").requirements()[0].value, "x,y");
  EXPECT_EQ(F("a==b").requirements()[0].op, FieldSelector::Op::kDoubleEquals);
  EXPECT_TRUE(F("").Empty());
}

TEST(FieldSelectorTest, ParseErrors) {
  const std::pair<std::string, std::string> cases[] = {
      {"a", "invalid selector: 'a'; can't understand 'a'"},
      {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
      {"a=b=c", "invalid field selector: unescaped character in value: 61"},
      {"a=\\x", "invalid field selector: invalid escape sequence: \\x"},
      {"a=b\\", "invalid field selector: invalid escape sequence: \\"},
  };
  for (const auto& [in, msg] : cases) {
    auto f = FieldSelector::Parse(in);
    ASSERT_FALSE(f.ok()) << in;
    EXPECT_EQ(f.status().message(), msg) << in;
  }
}

TEST(FieldSelectorTest, ValidatesFieldLabelsPerResource) {
  const ResourceInfo* pods = FindResource("", "v1", "pods");
  const ResourceInfo* deployments = FindResource("apps", "v1", "deployments");
  const ResourceInfo* nodes = FindResource("", "v1", "nodes");
  const ResourceInfo* events = FindResource("", "v1", "events");
  const ResourceInfo* pvs = FindResource("", "v1", "persistentvolumes");
  ASSERT_TRUE(pods && deployments && nodes && events && pvs);
  EXPECT_TRUE(ValidateFieldSelector(*pods, F("spec.nodeName=n1,status.phase!=Failed")).ok());
  EXPECT_TRUE(ValidateFieldSelector(*pods, F("spec.host=n1")).ok());
  EXPECT_EQ(ValidateFieldSelector(*pods, F("spec.foo=x")).message(),
            "field label not supported: spec.foo");
  EXPECT_EQ(ValidateFieldSelector(*deployments, F("status.replicas=1")).message(),
            "\"status.replicas\" is not a known field selector: only \"metadata.name\", "
            "\"metadata.namespace\"");
  EXPECT_TRUE(ValidateFieldSelector(*deployments, F("metadata.name=x")).ok());
  EXPECT_EQ(ValidateFieldSelector(*nodes, F("metadata.namespace=")).message(),
            "field label not supported: metadata.namespace");
  EXPECT_TRUE(ValidateFieldSelector(*nodes, F("spec.unschedulable=true")).ok());
  EXPECT_TRUE(ValidateFieldSelector(*pvs, F("metadata.namespace=")).ok());
  EXPECT_TRUE(ValidateFieldSelector(
                  *events, F("involvedObject.name=n1,involvedObject.namespace=,involvedObject."
                             "kind=Node,involvedObject.uid=u,reason=x,source=s,type=Normal,"
                             "reportingComponent=c"))
                  .ok());
}

TEST(FieldSelectorTest, MatchesObjects) {
  const ResourceInfo& pods = *FindResource("", "v1", "pods");
  json::value pod = json::parse(R"({"metadata":{"name":"p","namespace":"default"},
      "spec":{"nodeName":"n1","restartPolicy":"Always"},
      "status":{"phase":"Running","podIPs":[{"ip":"10.0.0.5"}]}})");
  EXPECT_TRUE(FieldSelectorMatches(pods, F("spec.nodeName=n1,status.phase!=Succeeded"), pod));
  EXPECT_FALSE(FieldSelectorMatches(pods, F("spec.nodeName=n2"), pod));
  EXPECT_TRUE(FieldSelectorMatches(pods, F("spec.hostNetwork=false"), pod));
  EXPECT_TRUE(FieldSelectorMatches(pods, F("status.podIP=10.0.0.5"), pod));
  EXPECT_TRUE(FieldSelectorMatches(pods, F("metadata.namespace=default,metadata.name=p"), pod));
  EXPECT_TRUE(FieldSelectorMatches(pods, F("spec.schedulerName="), pod));

  const ResourceInfo& events = *FindResource("", "v1", "events");
  json::value ev = json::parse(R"({"metadata":{"name":"e","namespace":"default"},
      "involvedObject":{"kind":"Pod","name":"counter-0","namespace":"default","uid":"u1"},
      "reason":"Started","type":"Normal","reportingComponent":"kubelet"})");
  EXPECT_TRUE(
      FieldSelectorMatches(events,
                           F("involvedObject.name=counter-0,involvedObject.namespace=default,"
                             "involvedObject.uid=u1"),
                           ev));
  EXPECT_TRUE(FieldSelectorMatches(events, F("source=kubelet"), ev));

  const ResourceInfo& rcs = *FindResource("", "v1", "replicationcontrollers");
  json::value rc = json::parse(R"({"status":{"replicas":3}})");
  EXPECT_TRUE(FieldSelectorMatches(rcs, F("status.replicas=3"), rc));

  const ResourceInfo& namespaces = *FindResource("", "v1", "namespaces");
  json::value ns = json::parse(R"({"metadata":{"name":"a"},"status":{"phase":"Terminating"}})");
  EXPECT_TRUE(FieldSelectorMatches(namespaces, F("status.phase=Terminating"), ns));
  EXPECT_EQ(FieldValue(namespaces, ns, "metadata.namespace"), std::nullopt);

  const ResourceInfo& secrets = *FindResource("", "v1", "secrets");
  json::value secret = json::parse(R"({"metadata":{"name":"s"},"type":"kubernetes.io/tls"})");
  EXPECT_TRUE(FieldSelectorMatches(secrets, F("type=kubernetes.io/tls"), secret));

  const ResourceInfo& nodes = *FindResource("", "v1", "nodes");
  json::value node = json::parse(R"({"metadata":{"name":"n1"},"spec":{"unschedulable":true}})");
  EXPECT_TRUE(FieldSelectorMatches(nodes, F("spec.unschedulable=true,metadata.name=n1"), node));

  EXPECT_EQ(F("metadata.name=x,metadata.namespace!=y").RequiresExactMatch("metadata.name"), "x");
  EXPECT_FALSE(F("metadata.namespace!=y").RequiresExactMatch("metadata.namespace").has_value());
}

}  // namespace
}  // namespace skiff::api
