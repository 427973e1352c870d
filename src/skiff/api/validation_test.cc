#include "skiff/api/validation.h"

#include <gtest/gtest.h>

namespace skiff::api {
namespace {

namespace json = boost::json;

const char kSubdomainMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char kLabelMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char kDNS1035Msg[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
    "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
    "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

std::vector<std::string> Strings(const FieldErrors& errs) {
  std::vector<std::string> out;
  for (const auto& e : errs) out.push_back(e.ToString());
  return out;
}

TEST(ValidationTest, DNSNames) {
  EXPECT_TRUE(IsDNS1123Subdomain("example.com").empty());
  EXPECT_EQ(IsDNS1123Subdomain("Foo"), std::vector<std::string>{kSubdomainMsg});
  EXPECT_EQ(IsDNS1123Subdomain(std::string(254, 'a')),
            (std::vector<std::string>{"must be no more than 253 characters"}));
  EXPECT_EQ(IsDNS1123Subdomain(std::string(254, 'A')),
            (std::vector<std::string>{"must be no more than 253 characters", kSubdomainMsg}));
  EXPECT_TRUE(IsDNS1123Label("my-name").empty());
  EXPECT_EQ(IsDNS1123Label("a.b"), std::vector<std::string>{"must not contain dots"});
  EXPECT_EQ(IsDNS1123Label("-a"), std::vector<std::string>{kLabelMsg});
  EXPECT_EQ(IsDNS1123Label(std::string(64, 'a')),
            std::vector<std::string>{"must be no more than 63 characters"});
  EXPECT_TRUE(IsDNS1035Label("abc-123").empty());
  EXPECT_EQ(IsDNS1035Label("1abc"), std::vector<std::string>{kDNS1035Msg});
  EXPECT_TRUE(NameIsDNSSubdomain("web-", true).empty());
  EXPECT_FALSE(NameIsDNSSubdomain("web-", false).empty());
}

TEST(ValidationTest, QualifiedNamesAndLabelValues) {
  EXPECT_TRUE(IsQualifiedName("app.kubernetes.io/name").empty());
  EXPECT_EQ(IsQualifiedName("/a"), std::vector<std::string>{"prefix part must be non-empty"});
  EXPECT_EQ(IsQualifiedName("a/b/c").size(), 1u);
  EXPECT_EQ(IsQualifiedName("a/b/c")[0].substr(0, 44),
            "a qualified name must consist of alphanumeri");
  EXPECT_EQ(IsQualifiedName("Example.com/x")[0].substr(0, 25), "prefix part a lowercase R");
  EXPECT_EQ(IsQualifiedName("a/")[0], "name part must be non-empty");
  EXPECT_TRUE(IsValidLabelValue("").empty());
  EXPECT_TRUE(IsValidLabelValue("my_value.1").empty());
  EXPECT_EQ(IsValidLabelValue(std::string(64, 'a')),
            std::vector<std::string>{"must be no more than 63 characters"});
  EXPECT_TRUE(IsConfigMapKey("key.name").empty());
  EXPECT_EQ(IsConfigMapKey(".."), (std::vector<std::string>{"must not be '..'"}));
  EXPECT_TRUE(IsValidPortName("http").empty());
  EXPECT_EQ(IsValidPortName("123"),
            std::vector<std::string>{"must contain at least one letter (a-z)"});
  EXPECT_EQ(IsValidPortNum(0), std::vector<std::string>{"must be between 1 and 65535, inclusive"});
  EXPECT_TRUE(IsValidPercent("25%").empty());
  EXPECT_FALSE(IsValidPercent("25").empty());
  EXPECT_TRUE(IsValidIP("10.0.0.1"));
  EXPECT_TRUE(IsValidIP("2001:db8::1"));
  EXPECT_FALSE(IsValidIP("10.0.0"));
}

TEST(ValidationTest, NameValidatorPerResource) {
  EXPECT_EQ(NameValidatorFor(*FindKind("", "Service")), &NameIsDNS1035Label);
  EXPECT_EQ(NameValidatorFor(*FindKind("", "Namespace")), &NameIsDNSLabel);
  EXPECT_EQ(NameValidatorFor(*FindKind("apps", "Deployment")), &NameIsDNSSubdomain);
}

TEST(ValidationTest, ObjectMetaOnCreate) {
  json::value missing = json::parse(R"({"metadata":{}})");
  EXPECT_EQ(
      Strings(ValidateObjectMeta(missing, true, NameIsDNSSubdomain)),
      (std::vector<std::string>{"metadata.name: Required value: name or generateName is required",
                                "metadata.namespace: Required value"}));

  json::value bad = json::parse(R"({"metadata":{"name":"Web","namespace":"default",
      "generateName":"Web-","labels":{"app":"-x"},"finalizers":["foo"]}})");
  EXPECT_EQ(Strings(ValidateObjectMeta(bad, true, NameIsDNSSubdomain)),
            (std::vector<std::string>{
                std::string("metadata.generateName: Invalid value: \"Web-\": ") + kSubdomainMsg,
                std::string("metadata.name: Invalid value: \"Web\": ") + kSubdomainMsg,
                "metadata.labels: Invalid value: \"-x\": a valid label must be an empty string "
                "or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                "with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
                "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                "metadata.finalizers[0]: Invalid value: \"foo\": name is neither a standard "
                "finalizer name nor is it fully qualified"}));

  json::value cluster = json::parse(R"({"metadata":{"name":"n1","namespace":"default"}})");
  EXPECT_EQ(Strings(ValidateObjectMeta(cluster, false, NameIsDNSSubdomain)),
            (std::vector<std::string>{"metadata.namespace: Forbidden: not allowed on this type"}));

  json::value ok = json::parse(R"({"metadata":{"name":"web","namespace":"default",
      "labels":{"app.kubernetes.io/name":"web"},"annotations":{"Example.com/Note":"x"},
      "finalizers":["kubernetes","example.com/f"]}})");
  EXPECT_TRUE(ValidateObjectMeta(ok, true, NameIsDNSSubdomain).empty());
}

TEST(ValidationTest, AnnotationSizeLimit) {
  json::value obj = json::parse(R"({"metadata":{"name":"a","annotations":{}}})");
  obj.at("metadata").at("annotations").as_object()["big"] = std::string(256 * 1024, 'x');
  EXPECT_EQ(Strings(ValidateObjectMeta(obj, false, NameIsDNSSubdomain)),
            (std::vector<std::string>{
                "metadata.annotations: Too long: may not be more than 262144 bytes"}));
}

TEST(ValidationTest, ObjectMetaOnUpdate) {
  json::value old = json::parse(R"({"metadata":{"name":"a","namespace":"x","uid":"1",
      "finalizers":["kubernetes"],"deletionTimestamp":"2024-01-01T00:00:00Z"}})");
  json::value now = json::parse(R"({"metadata":{"name":"b","namespace":"x","uid":"2",
      "finalizers":["kubernetes","example.com/new"]}})");
  EXPECT_EQ(Strings(ValidateObjectMetaUpdate(now, old)),
            (std::vector<std::string>{
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is "
                "being deleted, found new finalizers []string{\"example.com/new\"}",
                "metadata.name: Invalid value: \"b\": field is immutable",
                "metadata.uid: Invalid value: \"2\": field is immutable"}));
}

TEST(ValidationTest, LabelSelectorValidation) {
  json::value sel = json::parse(R"({"matchLabels":{"app":"x"},"matchExpressions":[
      {"key":"a","operator":"In"},{"key":"b","operator":"Exists","values":["v"]},
      {"key":"c","operator":"Foo"},{"key":"d","operator":"In","values":["-bad"]}]})");
  std::vector<std::string> got = Strings(ValidateLabelSelector(&sel, "spec.selector"));
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0],
            "spec.selector.matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or 'NotIn'");
  EXPECT_EQ(got[1],
            "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when "
            "`operator` is 'Exists' or 'DoesNotExist'");
  EXPECT_EQ(got[2],
            "spec.selector.matchExpressions[2].operator: Invalid value: \"Foo\": not a valid "
            "selector operator");
  EXPECT_EQ(got[3].substr(0, 66),
            "spec.selector.matchExpressions[3].values[0]: Invalid value: \"-bad\"");
  EXPECT_TRUE(ValidateLabelSelector(nullptr, "spec.selector").empty());
}

}  // namespace
}  // namespace skiff::api
