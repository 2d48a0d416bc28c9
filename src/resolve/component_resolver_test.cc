#include "resolve/component_resolver.h"

#include <gtest/gtest.h>

#include "generate/hcl_text.h"
#include "model/error.h"

namespace strata {
namespace {

class MapStateSource : public StateSource {
 public:
  std::map<std::string, Value> outputs_by_ref;
  Value outputs(const ComponentRef& ref, const Origin& where) override {
    auto it = outputs_by_ref.find(ref.str());
    if (it == outputs_by_ref.end()) throw Error("no outputs for " + ref.str(), where);
    return it->second;
  }
};

// The Comet example from the conformance README §6.5, as the JS front-end would load it.
Project comet_project() {
  Project p;
  p.root = "/repo";
  Stack dev;
  dev.name = "dev";
  dev.options = parse_json_text(R"({"opts": {"org": "moonwalker", "common_name": "comet"}})");
  dev.backend.type = "gcs";
  dev.backend.config = parse_json_text(
      R"({"bucket": "mw-tf-state", "prefix": "{{ .opts.org }}-{{ .opts.common_name }}/stacks/{{ .stack }}/{{ .component }}"})");
  dev.provider_appends = {"data \"google_client_config\" \"default\" {}"};
  Component project2;
  project2.name = "project2";
  project2.stack = "dev";
  project2.source = "test/modules/project";
  Component vpc;
  vpc.name = "vpc";
  vpc.stack = "dev";
  vpc.source = "test/modules/vpc";
  vpc.origin = Origin("stacks/dev.stack.js", 20, 13);
  vpc.inputs = parse_json_text(R"({"name": "comet-dev-p1-vpc", "id": "{{ (state \"dev\" \"project2\").id }}-vpc",
                                   "subnets": "{{ (state \"dev\" \"project2\").subnets }}"})");
  Component metsrv;
  metsrv.name = "metsrv";
  metsrv.stack = "dev";
  metsrv.source = "test/modules/metsrv";
  metsrv.providers = parse_json_text(R"({"kubernetes": {
      "host": "{{ (state \"dev\" \"project2\").endpoint }}",
      "url": "https://{{ (state \"dev\" \"project2\").endpoint }}:443/{{ .stack }}",
      "token": "data.google_client_config.default.access_token"}})");
  dev.components = {project2, vpc, metsrv};
  p.stacks["dev"] = dev;
  return p;
}

TEST(ComponentResolverTest, CometStackResolvesLikeComet) {
  Project p = comet_project();
  MapStateSource state;
  state.outputs_by_ref["dev/project2"] =
      parse_json_text(R"({"id": "p-123", "subnets": ["a", "b"], "endpoint": "1.2.3.4"})");
  ComponentResolver r(p, state, nullptr);
  ComponentFiles f = r.resolve(*p.stacks["dev"].find("vpc"));
  EXPECT_EQ(to_json_text(f.inputs, -1), R"({"id":"p-123-vpc","name":"comet-dev-p1-vpc","subnets":["a","b"]})");
  EXPECT_EQ(f.backend.type, "gcs");
  EXPECT_EQ(to_json_text(f.backend.config, -1),
            R"({"bucket":"mw-tf-state","prefix":"moonwalker-comet/stacks/dev/vpc"})");
  EXPECT_EQ(f.work_root, "/repo/.strata");
}

TEST(ComponentResolverTest, StateInProvidersBecomesRemoteStateLookups) {
  Project p = comet_project();
  MapStateSource state;  // empty: providers must not need the outputs
  ComponentResolver r(p, state, nullptr);
  ComponentFiles f = r.resolve(*p.stacks["dev"].find("metsrv"));
  ASSERT_EQ(f.remote_states.size(), 1u);
  EXPECT_EQ(f.remote_states[0].name, "dev_project2");
  EXPECT_EQ(to_json_text(f.remote_states[0].backend.config, -1),
            R"({"bucket":"mw-tf-state","prefix":"moonwalker-comet/stacks/dev/project2"})");
  std::string text = render_providers_file(f);
  EXPECT_NE(text.find("host = try(data.terraform_remote_state.dev_project2.outputs.endpoint, null)\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("url = \"https://${try(data.terraform_remote_state.dev_project2.outputs.endpoint, null)}:443/dev\""),
            std::string::npos) << text;
  EXPECT_NE(text.find("token = data.google_client_config.default.access_token"), std::string::npos);
  EXPECT_NE(text.find("data \"terraform_remote_state\" \"dev_project2\" {\n  backend = \"gcs\""), std::string::npos);
}

TEST(ComponentResolverTest, MissingOutputsAreAnErrorNamingTheValue) {
  Project p = comet_project();
  MapStateSource state;
  ComponentResolver r(p, state, nullptr);
  EXPECT_THROW(r.resolve(*p.stacks["dev"].find("vpc")), Error);
}

TEST(ComponentResolverTest, StackOptionsNeverOverrideBuiltInData) {
  Project p = comet_project();
  p.stacks["dev"].options.set("stack", "not-dev");
  MapStateSource state;
  ComponentResolver r(p, state, nullptr);
  Value data = r.template_data(p.stacks["dev"], *p.stacks["dev"].find("vpc"));
  EXPECT_EQ(data.find("stack")->as_string(), "dev");
  EXPECT_EQ(data.find("stacks_dir")->as_string(), "/repo/stacks");
}

// Answers every reference with "plain:<ref>" and remembers what it was asked.
class RecordingSecrets : public SecretResolver {
 public:
  Value resolve(const std::string& ref, const Origin&) override {
    asked.push_back(ref);
    return Value("plain:" + ref);
  }
  std::vector<std::string> asked;
};

// A JavaScript secret is a reference ({{ secret `REF` }}) until the component is resolved; the
// stack's environment is decrypted for the engine; a secret in a backend or provider setting,
// which strata writes into a file, is refused naming the setting.
TEST(ComponentResolverTest, SecretReferencesAreDecryptedWhereTheyCanStayOffDisk) {
  Project p = comet_project();
  Stack& dev = p.stacks["dev"];
  Component& vpc = *dev.find("vpc");
  vpc.inputs = parse_json_text(R"({"url": "postgres://u:{{ secret `sops://s.enc.yaml#/pw` }}@db", "name": "n"})");
  dev.env = {{"TOKEN", "{{ secret `sops://s.enc.yaml#/token` }}"}, {"PLAIN", "{{ not a template"}};
  MapStateSource state;
  RecordingSecrets secrets;
  ComponentResolver r(p, state, &secrets);
  ComponentFiles f = r.resolve(vpc);
  EXPECT_EQ(f.inputs.find("url")->as_string(), "postgres://u:plain:sops://s.enc.yaml#/pw@db");
  EXPECT_TRUE(f.inputs.find("url")->sensitive());
  EXPECT_FALSE(f.inputs.find("name")->sensitive());
  EXPECT_EQ(f.env.at("TOKEN"), "plain:sops://s.enc.yaml#/token");
  EXPECT_EQ(f.env.at("PLAIN"), "{{ not a template");  // only secret references are rendered

  secrets.asked.clear();
  r.decrypt_secrets(vpc);  // what `strata show` does before showing a plan: no state read
  EXPECT_EQ(secrets.asked, (std::vector<std::string>{"sops://s.enc.yaml#/pw", "sops://s.enc.yaml#/token"}));

  dev.backend.config.set("credentials", Value("{{ secret \"sops://s.enc.yaml#/gcs\" }}"));
  try {
    r.resolve(vpc);
    ADD_FAILURE() << "a secret in the backend settings was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("dev/vpc: the backend setting backend.credentials holds a secret"),
              std::string::npos) << e.message();
    EXPECT_NE(e.hint().find("envs("), std::string::npos) << e.hint();
  }
  dev.backend.config.as_map().erase("credentials");
  Component& metsrv = *dev.find("metsrv");
  metsrv.providers.as_map()["kubernetes"].set("password", Value("{{ secret `sops://s.enc.yaml#/k8s` }}"));
  try {
    r.resolve(metsrv);
    ADD_FAILURE() << "a secret in the provider settings was accepted";
  } catch (const Error& e) {
    EXPECT_NE(e.message().find("the provider setting providers.kubernetes.password holds a secret"),
              std::string::npos) << e.message();
  }
}

// A provider reading another component's outputs whose state is local gets the absolute path
// of that state (the data source runs in another workdir), and one without any backend too.
TEST(ComponentResolverTest, RemoteStateOfALocalBackendNamesTheStateFileAbsolutely) {
  Project p = comet_project();
  p.stacks["dev"].backend.type = "local";
  p.stacks["dev"].backend.config = parse_json_text(R"({"path": "terraform.tfstate"})");
  MapStateSource state;
  ComponentResolver r(p, state, nullptr);
  ComponentFiles f = r.resolve(*p.stacks["dev"].find("metsrv"));
  ASSERT_EQ(f.remote_states.size(), 1u);
  EXPECT_EQ(f.remote_states[0].backend.type, "local");
  EXPECT_EQ(to_json_text(f.remote_states[0].backend.config, -1), R"({"path":"/repo/.strata/dev/project2/terraform.tfstate"})");
  p.stacks["dev"].backend = Backend{};
  f = r.resolve(*p.stacks["dev"].find("metsrv"));
  EXPECT_EQ(f.remote_states[0].backend.type, "local");
  EXPECT_EQ(to_json_text(f.remote_states[0].backend.config, -1), R"({"path":"/repo/.strata/dev/project2/terraform.tfstate"})");
}

}  // namespace
}  // namespace strata
