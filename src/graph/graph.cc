#include "graph/graph.h"

#include <algorithm>
#include <functional>
#include <queue>
#include <set>
#include <utility>

#include "base/suggest.h"
#include "model/error.h"
#include "template/template.h"

namespace strata {

const char* edge_kind_name(EdgeKind kind) {
  return kind == EdgeKind::kDependsOn ? "depends_on" : "state";
}

namespace {


// Every string below `v` with its origin (falling back to `fallback`).
void for_each_string(const Value& v, const Origin& fallback,
                     const std::function<void(const std::string&, const Origin&)>& fn) {
  const Origin& here = v.origin().known() ? v.origin() : fallback;
  switch (v.kind()) {
    case Value::Kind::kString:
      fn(v.as_string(), here);
      break;
    case Value::Kind::kList:
      for (const auto& item : v.as_list()) for_each_string(item, here, fn);
      break;
    case Value::Kind::kMap:
      for (const auto& [key, item] : v.as_map()) for_each_string(item, here, fn);
      break;
    default:
      break;
  }
}

// Every component this one references, explicit depends_on first.
std::vector<std::pair<ComponentRef, EdgeKind>> references_of(const Stack& stack,
                                                             const Component& c) {
  std::vector<std::pair<ComponentRef, EdgeKind>> refs;
  for (const auto& d : c.depends_on) {
    ComponentRef r = d;
    if (!r.origin.known()) r.origin = c.origin;
    refs.push_back({r, EdgeKind::kDependsOn});
  }
  auto scan = [&](const std::string& text, const Origin& origin) {
    std::vector<tpl::StateCall> calls;
    try {
      calls = tpl::find_state_calls(text, origin);
    } catch (const Error&) {
      return;  // a template that does not parse makes no edges; rendering it says what is wrong
    }
    for (auto& call : calls)
      refs.push_back({ComponentRef{call.stack, call.component, origin}, EdgeKind::kState});
  };
  for_each_string(c.inputs, c.origin, scan);
  // A provider reading the component's own outputs (Comet's GKE pattern: the previous apply's
  // cluster endpoint, through terraform_remote_state with try(..., null)) is no edge to itself.
  size_t before_providers = refs.size();
  for_each_string(c.providers, c.origin, scan);
  refs.erase(std::remove_if(refs.begin() + static_cast<std::ptrdiff_t>(before_providers), refs.end(),
                            [&](const auto& r) { return r.first.stack == c.stack && r.first.component == c.name; }),
             refs.end());
  const Backend& backend = c.backend ? *c.backend : stack.backend;
  for_each_string(backend.config, backend.origin.known() ? backend.origin : c.origin, scan);
  return refs;
}

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

// Records why `ref`, written by component `who` at `where`, names nothing, with a guess.
// The error points at the reference itself when the front-end recorded where it was written,
// else at the referring component; the hint then also says where that component is declared.
void report_missing(const Project& project, const std::vector<std::string>& stack_names,
                    const Component& referrer, const ComponentRef& ref, EdgeKind kind,
                    Diagnostics& diagnostics) {
  const std::string who = referrer.stack + "/" + referrer.name;
  const Origin& where = ref.origin.known() ? ref.origin : referrer.origin;
  std::string declared;
  if (ref.origin.known() && referrer.origin.known() && ref.origin.str() != referrer.origin.str())
    declared = " (" + who + " is declared at " + referrer.origin.str() + ")";
  const Stack* target = project.find_stack(ref.stack);
  if (!target) {
    std::string guess = closest_match(ref.stack, stack_names);
    std::string known;
    for (const auto& n : stack_names) known += (known.empty() ? "" : ", ") + n;
    diagnostics.error(
        where,
        who + " refers to " + quoted(ref.str()) + ", but there is no stack " + quoted(ref.stack),
        (guess.empty() ? "known stacks: " + (known.empty() ? "(none)" : known)
                       : "did you mean " + quoted(guess + "/" + ref.component) + "?") +
            declared);
    return;
  }
  std::vector<std::string> names;
  for (const auto& other : target->components) names.push_back(other.name);
  std::string guess = closest_match(ref.component, names);
  std::string hint;
  if (!guess.empty()) {
    hint = "did you mean " + quoted(ref.stack + "/" + guess) + "?";
  } else {
    // Maybe the right name in the wrong stack.
    for (const auto& [name, stack] : project.stacks)
      if (name != ref.stack && stack.find(ref.component)) {
        hint = "did you mean " + quoted(name + "/" + ref.component) + "?";
        break;
      }
    if (hint.empty())
      hint = "stack " + quoted(ref.stack) + " declares no component named " +
             quoted(ref.component) + "; check the name in the reference";
  }
  hint += declared;
  diagnostics.error(where,
                    who + " refers to unknown component " + quoted(ref.str()) + " (in " +
                        (kind == EdgeKind::kDependsOn ? "depends_on" : "a state call") + ")",
                    hint);
}

}  // namespace

std::vector<ComponentRef> component_references(const Stack& stack, const Component& c) {
  std::vector<ComponentRef> out;
  for (auto& [ref, _] : references_of(stack, c)) out.push_back(std::move(ref));
  return out;
}

NodeId Graph::add_node(ComponentRef ref) {
  index_.emplace(std::make_pair(ref.stack, ref.component), static_cast<NodeId>(nodes_.size()));
  nodes_.push_back(std::move(ref));
  out_.emplace_back();
  in_.emplace_back();
  return static_cast<NodeId>(nodes_.size() - 1);
}

void Graph::add_edge(NodeId from, NodeId to, EdgeKind kind, Origin origin) {
  for (int e : out_[from])
    if (edges_[e].to == to) return;
  int index = static_cast<int>(edges_.size());
  edges_.push_back({from, to, kind, std::move(origin)});
  out_[from].push_back(index);
  in_[to].push_back(index);
}

std::optional<NodeId> Graph::find(const std::string& stack, const std::string& component) const {
  auto it = index_.find({stack, component});
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<NodeId> Graph::dependencies(NodeId id) const {
  std::vector<NodeId> out;
  for (int e : out_[id]) out.push_back(edges_[e].to);
  return out;
}

std::vector<NodeId> Graph::dependents(NodeId id) const {
  std::vector<NodeId> out;
  for (int e : in_[id]) out.push_back(edges_[e].from);
  return out;
}

Graph Graph::build(const Project& project) {
  Graph g;
  for (const auto& [stack_name, stack] : project.stacks)
    for (const auto& c : stack.components) g.add_node(ComponentRef{stack_name, c.name, c.origin});
  std::vector<std::string> stack_names;
  for (const auto& [name, stack] : project.stacks) stack_names.push_back(name);

  Diagnostics diagnostics;
  for (const auto& [stack_name, stack] : project.stacks) {
    for (const auto& c : stack.components) {
      NodeId from = *g.find(stack_name, c.name);
      for (const auto& [ref, kind] : references_of(stack, c)) {
        if (auto to = g.find(ref.stack, ref.component)) {
          g.add_edge(from, *to, kind, ref.origin);
          continue;
        }
        report_missing(project, stack_names, c, ref, kind, diagnostics);
      }
    }
  }
  diagnostics.throw_if_errors();
  g.check_acyclic();
  return g;
}

void Graph::check_acyclic() const {
  // Iterative depth-first search; a edge to a node still on the stack closes a cycle.
  enum : char { kWhite, kGrey, kBlack };
  std::vector<char> color(nodes_.size(), kWhite);
  std::vector<int> via(nodes_.size(), -1);  // edge index used to reach the node
  for (size_t root = 0; root < nodes_.size(); ++root) {
    if (color[root] != kWhite) continue;
    std::vector<std::pair<NodeId, size_t>> stack{{static_cast<NodeId>(root), 0}};
    color[root] = kGrey;
    while (!stack.empty()) {
      auto& [n, next] = stack.back();
      if (next == out_[n].size()) {
        color[n] = kBlack;
        stack.pop_back();
        continue;
      }
      int e = out_[n][next++];
      NodeId to = edges_[e].to;
      if (color[to] == kWhite) {
        color[to] = kGrey;
        via[to] = e;
        stack.push_back({to, 0});
      } else if (color[to] == kGrey) {
        // Walk back from n to `to` along the DFS path, then close with edge e.
        std::vector<int> cycle{e};
        for (NodeId cur = edges_[e].from; cur != to; cur = edges_[via[cur]].from)
          cycle.push_back(via[cur]);
        std::reverse(cycle.begin(), cycle.end());
        std::string path = nodes_[edges_[cycle.front()].from].str();
        std::string detail;
        for (int ce : cycle) {
          const GraphEdge& edge = edges_[ce];
          path += " → " + nodes_[edge.to].str();
          detail += "\n  " + nodes_[edge.from].str() + " → " + nodes_[edge.to].str() + " (" +
                    edge_kind_name(edge.kind) +
                    (edge.origin.known() ? " at " + edge.origin.str() : std::string()) + ")";
        }
        throw Error("dependency cycle: " + path + detail, edges_[cycle.front()].origin,
                    "components cannot depend on each other in a circle; remove one of these "
                    "references (→ means \"depends on\")");
      }
    }
  }
}

std::vector<NodeId> Graph::topological_order() const {
  std::vector<size_t> waiting(nodes_.size());
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (size_t i = 0; i < nodes_.size(); ++i) {
    waiting[i] = out_[i].size();
    if (waiting[i] == 0) ready.push(static_cast<NodeId>(i));
  }
  std::vector<NodeId> order;
  order.reserve(nodes_.size());
  while (!ready.empty()) {
    NodeId n = ready.top();
    ready.pop();
    order.push_back(n);
    for (int e : in_[n])
      if (--waiting[edges_[e].from] == 0) ready.push(edges_[e].from);
  }
  return order;
}

}  // namespace strata
