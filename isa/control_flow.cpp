#include "isa/control_flow.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace sbpf::isa {

namespace {

// Strongly connected components of the subgraph made of `nodes`, ignoring
// edges into `cut` (SIZE_MAX: none). Tarjan's algorithm, iterative so that
// long programs cannot exhaust the native stack. With `roots` (per block),
// only the components of the marked blocks and of what they reach: a
// search from a block finds its whole component.
// Per-block arrays for strong_components, sized once per function: each
// call touches (and resets) only the blocks of its own set, so a function
// with many loops costs the sum of their sizes, not loops × blocks.
// The Tarjan stack and the iteration's frames are kept too, empty between
// calls.
struct ComponentScratch {
  struct Frame {
    size_t node;
    size_t edge;
  };
  explicit ComponentScratch(size_t n) : in_set(n, 0), index(n, SIZE_MAX), low(n, 0), on_stack(n, 0) {}
  std::vector<int> in_set;
  std::vector<size_t> index, low;
  std::vector<uint8_t> on_stack;
  std::vector<size_t> stack;
  std::vector<Frame> calls;
};

// The components, each a run of `nodes`: component i is
// nodes[ends[i - 1] .. ends[i]) (from 0 for the first). One flat array, as
// most components are single blocks that loop nowhere.
struct Components {
  std::vector<size_t> nodes;
  std::vector<size_t> ends;
};

Components strong_components(const FunctionGraph& g, const std::vector<size_t>& nodes, size_t cut,
                             const std::vector<uint8_t>* roots, ComponentScratch& scratch) {
  std::vector<int>& in_set = scratch.in_set;
  std::vector<size_t>& index = scratch.index;
  std::vector<size_t>& low = scratch.low;
  std::vector<uint8_t>& on_stack = scratch.on_stack;
  for (size_t b : nodes) in_set[b] = 1;
  std::vector<size_t>& stack = scratch.stack;
  Components components;
  components.nodes.reserve(nodes.size());
  size_t next = 0;
  using Frame = ComponentScratch::Frame;
  std::vector<Frame>& calls = scratch.calls;
  for (size_t root : nodes) {
    if (index[root] != SIZE_MAX || (roots != nullptr && (*roots)[root] == 0)) continue;
    calls.push_back({root, 0});
    index[root] = low[root] = next++;
    stack.push_back(root);
    on_stack[root] = 1;
    while (!calls.empty()) {
      Frame& f = calls.back();
      const auto& succ = g.blocks[f.node].successors;
      if (f.edge < succ.size()) {
        const size_t s = succ[f.edge++];
        if (!in_set[s] || s == cut) continue;
        if (index[s] == SIZE_MAX) {
          index[s] = low[s] = next++;
          stack.push_back(s);
          on_stack[s] = 1;
          calls.push_back({s, 0});
        } else if (on_stack[s]) {
          low[f.node] = std::min(low[f.node], index[s]);
        }
        continue;
      }
      const size_t v = f.node;
      calls.pop_back();
      if (!calls.empty()) low[calls.back().node] = std::min(low[calls.back().node], low[v]);
      if (low[v] != index[v]) continue;
      size_t w;
      do {
        w = stack.back();
        stack.pop_back();
        on_stack[w] = 0;
        components.nodes.push_back(w);
      } while (w != v);
      components.ends.push_back(components.nodes.size());
    }
  }
  for (size_t b : nodes) {
    in_set[b] = 0;
    index[b] = SIZE_MAX;
    low[b] = 0;
    on_stack[b] = 0;
  }
  return components;
}

bool has_self_edge(const FunctionGraph& g, size_t b) {
  const auto& s = g.blocks[b].successors;
  return std::find(s.begin(), s.end(), b) != s.end();
}

// Immediate dominators by Cooper, Harvey and Kennedy's iteration over
// reverse post-order, then the dominator tree's pre/post intervals: a
// dominates b when b's interval nests in a's.
void find_dominators(FunctionGraph& g) {
  const size_t n = g.blocks.size();
  g.idom.assign(n, kNoBlock);
  if (g.order.empty()) return;
  g.idom[0] = 0;
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 1; i < g.order.size(); ++i) {
      const size_t b = g.order[i];
      size_t dominator = kNoBlock;
      for (size_t p : g.blocks[b].predecessors) {
        if (g.idom[p] == kNoBlock) continue;
        if (dominator == kNoBlock) {
          dominator = p;
          continue;
        }
        size_t x = p, y = dominator;
        while (x != y) {
          while (g.rank[x] > g.rank[y]) x = g.idom[x];
          while (g.rank[y] > g.rank[x]) y = g.idom[y];
        }
        dominator = x;
      }
      if (dominator != g.idom[b]) {
        g.idom[b] = dominator;
        changed = true;
      }
    }
  }
  // The tree's children, block by block in one array: b's are
  // children[first_child[b] .. first_child[b + 1]), in reverse post-order.
  std::vector<size_t> first_child(n + 1, 0);
  for (size_t b : g.order)
    if (b != 0) ++first_child[g.idom[b] + 1];
  for (size_t b = 0; b < n; ++b) first_child[b + 1] += first_child[b];
  std::vector<size_t> children(first_child[n]);
  {
    std::vector<size_t> filled(first_child.begin(), first_child.end() - 1);
    for (size_t b : g.order)
      if (b != 0) children[filled[g.idom[b]]++] = b;
  }
  g.dom_enter_.assign(n, 0);
  g.dom_leave_.assign(n, 0);
  size_t clock = 0;
  std::vector<std::pair<size_t, size_t>> stack{{0, first_child[0]}};
  g.dom_enter_[0] = clock++;
  while (!stack.empty()) {
    auto& [b, child] = stack.back();
    if (child < first_child[b + 1]) {
      const size_t next = children[child++];
      g.dom_enter_[next] = clock++;
      stack.push_back({next, first_child[next]});
    } else {
      g.dom_leave_[b] = clock++;
      stack.pop_back();
    }
  }
}

// The loop hierarchy; with `holds` (per block), only the loops that hold a
// marked block: a component holding none is neither kept nor split further.
void find_loops(const Program& program, FunctionGraph& g, const std::vector<uint8_t>* holds) {
  struct Pending {
    std::vector<size_t> nodes;
    size_t cut;
    int parent;
  };
  // A loop is reducible when every edge into its blocks other than the
  // head comes from inside it: the edges from reachable blocks into each
  // block, against those from the loop's own blocks.
  std::vector<uint32_t> edges_in(g.blocks.size(), 0);
  for (size_t b : g.order)
    for (size_t to : g.blocks[b].successors) ++edges_in[to];
  std::vector<Pending> work{{g.order, SIZE_MAX, -1}};
  g.innermost_loop.assign(g.blocks.size(), -1);
  ComponentScratch scratch(g.blocks.size());
  while (!work.empty()) {
    Pending p = std::move(work.back());
    work.pop_back();
    const Components components = strong_components(g, p.nodes, p.cut, holds, scratch);
    for (size_t i = 0; i < components.ends.size(); ++i) {
      const auto first = components.nodes.begin() + static_cast<ptrdiff_t>(i == 0 ? 0 : components.ends[i - 1]);
      const auto last = components.nodes.begin() + static_cast<ptrdiff_t>(components.ends[i]);
      // A single block loops only through an edge to itself, which does
      // not count once that block is the cut head.
      if (last - first == 1 && (*first == p.cut || !has_self_edge(g, *first))) continue;
      if (holds != nullptr && std::none_of(first, last, [&](size_t b) { return (*holds)[b] != 0; })) continue;
      std::vector<size_t> component(first, last);
      // The head is the block first in reverse post-order: for a reducible
      // loop, its only entry.
      size_t head = component[0];
      for (size_t b : component)
        if (g.rank[b] < g.rank[head]) head = b;
      Loop loop;
      loop.head = head;
      std::sort(component.begin(), component.end());
      loop.blocks = component;
      loop.parent = p.parent;
      size_t edges_inside = 0, edges_into_body = 0;  // into blocks other than the head
      for (size_t b : component) {
        if (b != head) edges_into_body += edges_in[b];
        for (size_t to : g.blocks[b].successors) {
          if (to == head) loop.latches.push_back(b);
          else if (std::binary_search(component.begin(), component.end(), to)) ++edges_inside;
          else loop.exits.push_back({b, to});
        }
      }
      loop.reducible = edges_inside == edges_into_body;
      for (size_t b : component)
        for (size_t pc = g.blocks[b].first; pc <= g.blocks[b].last; ++pc)
          if (!program.is_lddw_tail(pc)) loop.registers_written |= program.insns[pc].registers_written();
      const int id = static_cast<int>(g.loops.size());
      for (size_t b : component) g.innermost_loop[b] = id;
      if (p.parent >= 0) g.loops[static_cast<size_t>(p.parent)].children.push_back(id);
      g.loops.push_back(std::move(loop));
      work.push_back({std::move(component), head, id});
    }
  }
}

// The function's blocks with their successors, and their reverse
// post-order; what both the whole graph and the loops alone start from.
FunctionGraph blocks_in_order(const Program& program, size_t fi) {
  // Jump targets come from the validation, and the shape it checks is relied on.
  if (!program.validated()) throw std::invalid_argument("control flow: the program has not been validated");
  const Function& fn = program.functions[fi];
  FunctionGraph g;
  g.function = fi;
  // Leaders: the entry, jump targets, and whatever follows a jump or exit.
  // block_at, per slot of the function: the number of the block starting
  // there (only leaders are looked up).
  const size_t size = fn.end - fn.start;
  std::vector<uint32_t> block_at(size);
  bool after_jump = true;  // the entry leads
  for (size_t pc = fn.start; pc < fn.end;) {
    const Instruction& insn = program.insns[pc];
    if (after_jump || program.is_jump_target(pc)) {
      block_at[pc - fn.start] = static_cast<uint32_t>(g.block_start_.size());
      g.block_start_.push_back(pc);
    }
    after_jump = insn.is_branch() || insn.opcode == kOpGotol || insn.is_exit();
    pc += insn.is_lddw() ? 2 : 1;
  }
  g.blocks.resize(g.block_start_.size());
  for (size_t i = 0; i < g.blocks.size(); ++i) {
    BasicBlock& b = g.blocks[i];
    b.first = g.block_start_[i];
    b.last = (i + 1 < g.blocks.size() ? g.block_start_[i + 1] : fn.end) - 1;
    if (program.is_lddw_tail(b.last)) --b.last;
    // Successors lead to the first slot of a block.
    const Instruction& insn = program.insns[b.last];
    const size_t after = b.last + (insn.is_lddw() ? 2 : 1);
    if (!insn.ends_block_unconditionally() && after < fn.end) b.successors.push_back(block_at[after - fn.start]);
    if (insn.is_branch() || insn.opcode == kOpGotol) {
      const size_t target = block_at[static_cast<size_t>(insn.jump_target(b.last)) - fn.start];
      if (std::find(b.successors.begin(), b.successors.end(), target) == b.successors.end())
        b.successors.push_back(target);
    }
  }
  // Reverse post-order from the entry, iteratively; edges to an ancestor on
  // the DFS stack close cycles and mark loop heads.
  const size_t n = g.blocks.size();
  g.rank.assign(n, kNoBlock);
  g.loop_head.assign(n, false);
  std::vector<uint8_t> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::vector<std::pair<size_t, size_t>> dfs{{0, 0}};
  std::vector<size_t> post;
  post.reserve(n);
  color[0] = 1;
  while (!dfs.empty()) {
    auto& [b, e] = dfs.back();
    if (e < g.blocks[b].successors.size()) {
      const size_t s = g.blocks[b].successors[e++];
      if (color[s] == 0) {
        color[s] = 1;
        dfs.push_back({s, 0});
      } else if (color[s] == 1) {
        g.loop_head[s] = true;
      }
      continue;
    }
    color[b] = 2;
    post.push_back(b);
    dfs.pop_back();
  }
  g.order.assign(post.rbegin(), post.rend());
  for (size_t i = 0; i < g.order.size(); ++i) g.rank[g.order[i]] = i;
  return g;
}

}  // namespace

FunctionGraph build_function_graph(const Program& program, size_t fi) {
  FunctionGraph g = blocks_in_order(program, fi);
  // Predecessors in block order, each list allocated once.
  std::vector<uint32_t> predecessor_count(g.blocks.size(), 0);
  for (const BasicBlock& b : g.blocks)
    for (size_t s : b.successors) ++predecessor_count[s];
  for (size_t i = 0; i < g.blocks.size(); ++i) g.blocks[i].predecessors.reserve(predecessor_count[i]);
  for (size_t i = 0; i < g.blocks.size(); ++i)
    for (size_t s : g.blocks[i].successors) g.blocks[s].predecessors.push_back(i);
  find_dominators(g);
  find_loops(program, g, nullptr);
  // Every head of the loop hierarchy is a widening point too (irreducible
  // loops may be entered elsewhere than the DFS found).
  for (const Loop& l : g.loops) g.loop_head[l.head] = true;
  return g;
}

FunctionLoops find_loops_holding(const Program& program, size_t fi, std::span<const size_t> pcs) {
  FunctionGraph g = blocks_in_order(program, fi);
  std::vector<uint8_t> holds(g.blocks.size(), 0);
  for (size_t pc : pcs) holds[g.block_of(pc)] = 1;
  find_loops(program, g, &holds);
  return {std::move(g.blocks), std::move(g.loops)};
}

size_t FunctionGraph::block_of(size_t pc) const {
  auto it = std::upper_bound(block_start_.begin(), block_start_.end(), pc);
  return static_cast<size_t>(it - block_start_.begin()) - 1;
}

bool FunctionGraph::dominates(size_t a, size_t b) const {
  if (idom[a] == kNoBlock || idom[b] == kNoBlock) return false;
  return dom_enter_[a] <= dom_enter_[b] && dom_leave_[b] <= dom_leave_[a];
}

bool FunctionGraph::is_back_edge(size_t from, size_t to) const {
  if (!loop_head[to]) return false;
  for (size_t l = 0; l < loops.size(); ++l)
    if (loops[l].head == to && loop_contains(static_cast<int>(l), from)) return true;
  return false;
}

bool FunctionGraph::loop_contains(int loop, size_t block) const {
  const auto& blocks = loops[static_cast<size_t>(loop)].blocks;
  return std::binary_search(blocks.begin(), blocks.end(), block);
}

int FunctionGraph::loop_of_edge(size_t from, size_t to) const {
  int l = innermost_loop[from];
  while (l >= 0 && !loop_contains(l, to)) l = loops[static_cast<size_t>(l)].parent;
  return l;
}

ProgramGraph build_graph(const Program& program) {
  ProgramGraph graph;
  for (size_t f = 0; f < program.functions.size(); ++f) graph.functions.push_back(build_function_graph(program, f));
  // Reachability across functions: a function is live once a live block calls it.
  graph.reachable.assign(program.size(), false);
  std::vector<bool> function_live(program.functions.size(), false);
  std::vector<size_t> work{0};
  function_live[0] = true;
  while (!work.empty()) {
    const FunctionGraph& g = graph.functions[work.back()];
    work.pop_back();
    for (size_t b : g.order) {
      for (size_t pc = g.blocks[b].first; pc <= g.blocks[b].last; ++pc) {
        graph.reachable[pc] = true;
        const Instruction& insn = program.insns[pc];
        if (insn.is_lddw()) graph.reachable[pc + 1] = true;
        if (!insn.is_local_call()) continue;
        const size_t target = pc + 1 + static_cast<size_t>(static_cast<int64_t>(insn.imm));
        const size_t callee = static_cast<size_t>(&program.function_at(target) - program.functions.data());
        if (!function_live[callee]) {
          function_live[callee] = true;
          work.push_back(callee);
        }
      }
    }
  }
  return graph;
}

}  // namespace sbpf::isa
