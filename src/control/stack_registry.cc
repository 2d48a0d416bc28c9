#include "control/stack_registry.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/percent_escape.h"
#include "control/control_plane.h"
#include "graph/changed_components.h"
#include "model/error.h"

namespace strata::control {

namespace {

std::string ref_text(const std::string& stack, const std::string& component) { return stack + "/" + component; }

std::string state_prefix(const std::string& repository, const std::string& stack) {
  return percent_escape(repository) + "/" + percent_escape(stack);
}

store::Event event(const std::string& account, const std::string& repository_id, const std::string& kind,
                   const std::string& subject, nlohmann::json detail) {
  store::Event e;
  e.account = account;
  e.repository_id = repository_id;
  e.kind = kind;
  e.subject = subject;
  e.detail_json = detail.dump();
  return e;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
  return out.empty() ? "none" : out;
}

}  // namespace

std::vector<ComponentRef> components_changed(GitCache& git, const std::string& repository_id, const std::string& from,
                                            const std::string& to, const ProjectAtCommit& loaded) {
  std::vector<std::string> changed;
  for (const std::string& p : git.changed_paths(repository_id, from, to)) changed.push_back(loaded.checkout.path() + "/" + p);
  std::vector<ComponentRef> out;
  for (const ChangedComponent& c : components_touched_by(loaded.ws->project(), changed)) out.push_back(c.ref);
  return out;
}

std::string RegistrySync::summary() const {
  std::string out = "registry at " + commit.substr(0, 12) + ": registered " + std::to_string(registered.size()) +
                    ", updated " + std::to_string(updated.size()) + ", deregistered " +
                    std::to_string(deregistered.size());
  if (!loose.empty()) out += ", loose stacks " + joined(loose);
  if (!destroying.empty()) out += ", destroying " + joined(destroying);
  if (!alerts.empty()) out += ", " + std::to_string(alerts.size()) + " stack state(s) alerted";
  if (!run_id.empty()) out += "; plan run " + run_id;
  if (!note.empty()) out += " (" + note + ")";
  return out;
}

store::RegistryUpdate registry_update(const RegistryInput& in, RegistrySync* sync) {
  store::RegistryUpdate update;
  update.repository_id = in.repository_id;
  update.commit = in.commit;
  sync->commit = in.commit;
  std::map<std::pair<std::string, std::string>, const store::StackCode*> registered;
  for (const store::StackCode& c : in.codes) registered[{c.stack, c.component}] = &c;
  std::map<std::string, store::StackState> active;
  for (const store::StackState& s : in.states)
    if (s.status == "active") active.emplace(s.stack, s);

  for (const auto& [stack, components] : in.found) {
    bool touched = false;
    std::vector<std::string> names;
    for (const auto& [component, path] : components) {
      names.push_back(component);
      auto known = registered.find({stack, component});
      store::StackCode code;
      code.stack = stack;
      code.component = component;
      code.path = path;
      code.commit = in.commit;
      if (known == registered.end()) {
        update.codes.push_back(code);
        sync->registered.push_back(ref_text(stack, component));
        update.events.push_back(event(in.account, in.repository_id, "module_registered", ref_text(stack, component), {{"path", path}, {"commit", in.commit}}));
        touched = true;
      } else if (in.changed.count({stack, component}) || known->second->path != path) {
        update.codes.push_back(code);
        sync->updated.push_back(ref_text(stack, component));
        update.events.push_back(event(in.account, in.repository_id, "module_updated", ref_text(stack, component),
                                      {{"path", path}, {"commit", in.commit}, {"previous_path", known->second->path}}));
        touched = true;
      }
    }
    auto state = active.find(stack);
    if (state == active.end()) {
      store::StackState s;
      s.id = store::new_uuid();
      s.stack = stack;
      s.commit = in.commit;
      s.state_key = state_prefix(in.repository_name, stack);
      s.components = names;
      update.states.push_back(s);
    } else if (touched || state->second.components != names) {
      store::StackState s = state->second;
      s.components = names;
      if (touched) s.commit = in.commit;
      update.states.push_back(s);
    }
  }
  // Components removed from a stack that stays: their state is kept as a loose stack state of
  // their own (the stack's name, those components), which can be re-associated like any other.
  std::map<std::string, std::vector<std::string>> removed_from_live;
  for (const store::StackCode& c : in.codes) {
    auto stack = in.found.find(c.stack);
    if (stack != in.found.end() && stack->second.count(c.component)) continue;
    update.removed_codes.emplace_back(c.stack, c.component);
    sync->deregistered.push_back(ref_text(c.stack, c.component));
    update.events.push_back(event(in.account, in.repository_id, "module_deregistered", ref_text(c.stack, c.component),
                                  {{"path", c.path}, {"commit", in.commit}}));
    if (stack != in.found.end()) removed_from_live[c.stack].push_back(c.component);
  }
  for (const auto& [stack, components] : removed_from_live) {
    store::StackState loose;
    loose.id = store::new_uuid();
    loose.stack = stack;
    loose.status = "loose";
    auto state = active.find(stack);
    loose.commit = state != active.end() ? state->second.commit : in.commit;
    loose.state_key = state_prefix(in.repository_name, stack);
    loose.components = components;
    update.states.push_back(loose);
    sync->loose.push_back(stack + " (" + joined(components) + ")");
    update.events.push_back(event(in.account, in.repository_id, "stack_state_loose", stack,
                                  {{"stack_state", loose.id}, {"components", components},
                                   {"state_key", loose.state_key}, {"commit", in.commit}}));
  }
  for (const auto& [stack, s] : active) {
    if (in.found.count(stack)) continue;
    store::StackState loose = s;
    loose.status = "loose";
    update.states.push_back(loose);
    sync->loose.push_back(stack);
    update.events.push_back(event(in.account, in.repository_id, "stack_state_loose", stack,
                                  {{"stack_state", s.id}, {"components", s.components}, {"state_key", s.state_key},
                                   {"commit", in.commit}}));
  }
  return update;
}

RegistrySync StackRegistry::sync(const store::Repository& repo, const std::string& commit_given, bool forced,
                                 const std::string& created_by) {
  store::Store& store = control_.store();
  GitCache& git = control_.git();
  git.fetch(repo.id, repo.url);
  const std::string commit = git.resolve(repo.id, commit_given, repo.default_branch);
  std::unique_ptr<ProjectAtCommit> loaded = control_.load_at(repo, commit);
  if (!loaded->error.empty())
    throw Error("the project does not load at commit " + commit.substr(0, 12) + ":\n" + loaded->error, {},
                "fix it and push again; the stack-code registry stays as it was");

  const std::string root = loaded->checkout.path();
  const Project& project = loaded->ws->project();
  RegistryInput in;
  in.repository_id = repo.id;
  in.repository_name = repo.name;
  in.account = repo.account;
  in.commit = commit;
  in.codes = store.stack_codes(repo.id);
  in.states = store.stack_states(repo.id);
  namespace fs = std::filesystem;
  for (const auto& [stack_name, stack] : project.stacks) {
    auto& components = in.found[stack_name];
    for (const Component& c : stack.components) {
      std::string module = c.source.substr(0, c.source.find("//"));
      std::string path = fs::path(project.root + "/" + module).lexically_normal().lexically_relative(root).string();
      components[c.name] = path == "." ? "" : path;
    }
  }
  RegistrySync result;
  const bool first = repo.registry_commit.empty();
  if (!first && repo.registry_commit != commit) {
    try {
      for (const ComponentRef& c : components_changed(git, repo.id, repo.registry_commit, commit, *loaded))
        in.changed.insert({c.stack, c.component});
    } catch (const Error& e) {
      // The registry's commit is gone from the cache: everything counts as changed.
      result.note = "the registry's commit " + repo.registry_commit.substr(0, 12) +
                    " cannot be compared with (" + e.message() + "): every component counts as changed";
      for (const auto& [stack, components] : in.found)
        for (const auto& [component, path] : components) in.changed.insert({stack, component});
    }
  }

  store::RegistryUpdate update = registry_update(in, &result);
  if (forced) {
    // Active stack states whose commit the branch no longer has.
    for (const store::StackState& s : in.states) {
      if (s.status != "active" || s.commit.empty() || git.contains(repo.id, commit, s.commit)) continue;
      if (std::find(result.loose.begin(), result.loose.end(), s.stack) != result.loose.end()) continue;
      auto it = std::find_if(update.states.begin(), update.states.end(),
                             [&](const store::StackState& u) { return u.id == s.id; });
      store::StackState& marked = it != update.states.end() ? *it : update.states.emplace_back(s);
      marked.alert = "commit " + s.commit.substr(0, 12) + " is no longer in the history of " + repo.default_branch +
                     ": a force-push to " + commit.substr(0, 12) + " dropped it";
      result.alerts.push_back(s.id);
      update.events.push_back(event(repo.account, repo.id, "force_push_alert", s.stack,
                                    {{"stack_state", s.id}, {"dropped_commit", s.commit}, {"commit", commit}}));
    }
  }
  store.update_registry(update);

  // auto_destroy: each stack state that went loose (a whole stack, or components removed from
  // one) is destroyed with the code it had.
  if (repo.auto_destroy && !first) {
    for (const store::StackState& went_loose : update.states) {
      if (went_loose.status != "loose") continue;
      RunRequest request;
      request.repository = repo.name;
      request.command = "destroy";
      for (const std::string& c : went_loose.components) request.components.push_back(went_loose.stack + "/" + c);
      request.commit = repo.registry_commit;
      store::RegistryUpdate destroying;
      destroying.repository_id = repo.id;
      store::StackState s = went_loose;
      try {
        store::Run run = control_.start_run(request, created_by);
        s.status = "destroying";
        s.destroy_run = run.id;
        result.destroying.push_back(s.stack);
        destroying.events.push_back(event(repo.account, repo.id, "stack_state_destroying", s.stack,
                                          {{"stack_state", s.id}, {"run", run.id}, {"commit", repo.registry_commit}}));
      } catch (const Error& e) {
        s.alert = "auto-destroy could not start: " + e.message();
        destroying.events.push_back(event(repo.account, repo.id, "stack_state_destroy_failed", s.stack,
                                          {{"stack_state", s.id}, {"reason", e.message()}}));
      }
      destroying.states.push_back(s);
      store.update_registry(destroying);
    }
  }

  std::vector<std::string> to_plan;
  for (const auto* list : {&result.registered, &result.updated})
    to_plan.insert(to_plan.end(), list->begin(), list->end());
  if (!first && !to_plan.empty()) {
    RunRequest request;
    request.repository = repo.name;
    request.command = "plan";
    request.components = to_plan;
    request.commit = commit;
    request.dependents = true;
    try {
      store::Run run = control_.start_run(request, created_by);
      result.run_id = run.id;
      store.append_event(event(repo.account, repo.id, "run_scheduled", run.id,
                               {{"command", "plan"}, {"components", to_plan}, {"commit", commit}}));
    } catch (const Error& err) {
      store.append_event(event(repo.account, repo.id, "run_not_scheduled", repo.name,
                               {{"reason", err.message()}, {"components", to_plan}}));
    }
  }
  return result;
}

size_t StackRegistry::settle_destroys() {
  store::Store& store = control_.store();
  size_t changed = 0;
  for (store::StackState s : store.stack_states("", "destroying")) {
    std::optional<store::Run> run = store.run(s.destroy_run);
    if (run && run->finished_at == 0) continue;
    std::optional<store::Repository> repo = store.repository(s.repository_id);
    store::RegistryUpdate update;
    update.repository_id = s.repository_id;
    const bool destroyed = run && run->status == "succeeded";
    s.status = destroyed ? "destroyed" : "loose";
    if (!destroyed)
      s.alert = "its destroy run " + s.destroy_run + " " + (run ? run->status : std::string("is gone")) +
                ": its state is kept";
    update.states.push_back(s);
    update.events.push_back(event(repo ? repo->account : "", s.repository_id,
                                  destroyed ? "stack_state_destroyed" : "stack_state_destroy_failed", s.stack,
                                  {{"stack_state", s.id}, {"run", s.destroy_run}}));
    store.update_registry(update);
    ++changed;
  }
  return changed;
}

store::StackState StackRegistry::associate(const std::string& state_id, const std::string& stack,
                                           const std::string& actor) {
  store::Store& store = control_.store();
  std::optional<store::StackState> loose = store.stack_state(state_id);
  if (!loose) throw Error(ErrorKind::kNotFound, "no stack state " + state_id, {}, "list them with `strata remote stacks list --loose`");
  if (loose->status != "loose")
    throw Error(ErrorKind::kConflict, "stack state " + state_id + " (stack " + loose->stack + ") is " + loose->status +
                    ": only a loose stack state is re-associated", {}, "pick one `strata remote stacks list --loose` shows");
  std::optional<store::Repository> repo = store.repository(loose->repository_id);
  if (!repo) throw Error(ErrorKind::kNotFound, "stack state " + state_id + " has no repository");
  std::vector<std::string> components;
  std::string code_commit;
  for (const store::StackCode& c : store.stack_codes(repo->id))
    if (c.stack == stack) {
      components.push_back(c.component);
      code_commit = std::max(code_commit, c.commit);
    }
  if (components.empty())
    throw Error(ErrorKind::kNotFound, "repository " + repo->name + " has no stack code for stack \"" + stack + "\"", {},
                "push the stack's code to " + repo->default_branch + " first; the registry registers it");
  std::vector<std::string> held = loose->components;
  std::sort(held.begin(), held.end());
  std::sort(components.begin(), components.end());
  if (held != components)
    throw Error(ErrorKind::kConflict,
                "the components differ: loose stack state " + state_id + " (stack " + loose->stack + ") holds state for " +
                    joined(held) + "; stack " + stack + " has " + joined(components),
                {}, "re-associate it with stack code that has the same components");
  std::optional<store::StackState> fresh;
  for (const store::StackState& s : store.stack_states(repo->id, "active"))
    if (s.stack == stack) fresh = s;
  // Checked for every component before anything moves: all or nothing.
  std::vector<std::string> old_keys;                       // the loose state's keys that move
  std::vector<std::pair<std::string, std::string>> moves;  // (from, to) whose state is still to copy
  for (const std::string& c : components) {
    const std::string from = workspace::state_key(repo->name, loose->stack, c);
    const std::string to = workspace::state_key(repo->name, stack, c);
    if (store.state_lock(from) || store.state_lock(to))
      throw Error(ErrorKind::kConflict, "the state of " + stack + "/" + c + " or " + loose->stack + "/" + c + " is locked",
                  {}, "wait for the run that holds it to end");
    if (from == to) continue;
    old_keys.push_back(from);
    std::optional<store::StateVersion> old_info = store.latest_state_info(from);
    std::optional<store::StateVersion> own = store.latest_state_info(to);
    // The same lineage: an earlier association that stopped half-way copied it already.
    if (own && (!old_info || own->lineage != old_info->lineage))
      throw Error(ErrorKind::kConflict,
                  stack + "/" + c + " already holds Terraform state of its own (serial " + std::to_string(own->serial) + ")",
                  {}, "destroy what it manages first, or re-associate with stack code whose components hold no state");
    if (old_info && !own) moves.emplace_back(from, to);
  }
  const store::Millis now = store::now_millis();
  for (const auto& [from, to] : moves) {
    std::optional<store::StateVersion> state = store.latest_state(from);
    if (state) store.put_state_version(to, state->data, state->serial, state->lineage, now);
  }
  for (const std::string& from : old_keys)
    if (store.latest_state_info(from)) store.delete_state(from);
  store::RegistryUpdate update;
  update.repository_id = repo->id;
  store::StackState joined_state = *loose;
  const std::string from_stack = loose->stack;
  joined_state.stack = stack;
  joined_state.status = "active";
  joined_state.alert.clear();
  joined_state.commit = code_commit;
  joined_state.state_key = state_prefix(repo->name, stack);
  joined_state.components = components;
  update.states.push_back(joined_state);
  if (fresh && fresh->id != joined_state.id) update.removed_states.push_back(fresh->id);
  update.events.push_back(event(repo->account, repo->id, "stack_state_associated", stack,
                                {{"stack_state", state_id}, {"from_stack", from_stack}, {"moved_states", moves.size()},
                                 {"by", actor}}));
  store.update_registry(update);
  return *store.stack_state(state_id);
}

}  // namespace strata::control
