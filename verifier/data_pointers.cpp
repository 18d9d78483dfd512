#include "verifier/data_pointers.h"

namespace sbpf::verifier {

namespace {

bool is_null_constant(const Value& v) { return v.is_scalar() && v.num == Scalar::constant(0); }

// Within a slot's types: pointers in global data, or 0.
bool data_pointer_leq(const Value& a, const Value& b) {
  if (is_null_constant(a)) return is_null_constant(b) || (b.is_pointer() && b.maybe_null);
  if (!a.is_pointer() || !b.is_pointer()) return false;
  return leq(a, b);
}

}  // namespace

DataPointerTypes initial_data_pointers(const isa::Program& program, const RegionTable& regions) {
  DataPointerTypes types(program.sections.size());
  for (size_t s = 0; s < program.sections.size(); ++s) {
    for (const isa::DataPointer& ptr : program.sections[s].pointers) {
      if (ptr.target == isa::DataPointer::kNull) {
        types[s].push_back(Value::constant(0));
        continue;
      }
      const int id = ptr.target < regions.section_region.size() ? regions.section_region[ptr.target] : -1;
      // A section past the regions the analysis tracks: unusable, so a read
      // of the slot is an error rather than a guess.
      types[s].push_back(id < 0 ? Value::uninit() : Value::pointer(regions.id_set(id), Scalar::constant(ptr.offset)));
    }
  }
  return types;
}

bool storable_in_data(const Value& v, const RegionTable& regions) {
  if (is_null_constant(v)) return true;
  if (!v.is_pointer() || v.regions == 0) return false;
  for (size_t id = 0; id < regions.regions.size(); ++id)
    if ((v.regions >> id & 1) != 0 && regions.regions[id].section < 0) return false;
  return true;
}

Value join_data_pointer(const Value& a, const Value& b, int stack_region) {
  if (is_null_constant(a) && is_null_constant(b)) return a;
  if (is_null_constant(a) || is_null_constant(b)) {
    Value p = is_null_constant(a) ? b : a;
    p.maybe_null = true;
    return p;
  }
  return join(a, b, stack_region);
}

bool settle_data_pointers(DataPointerTypes& types, const DataPointerStores& stored, int round, int stack_region) {
  bool changed = false;
  for (size_t s = 0; s < types.size(); ++s) {
    for (size_t i = 0; i < types[s].size(); ++i) {
      const std::optional<Value>& v = stored[s][i];
      Value& type = types[s][i];
      if (!v || !type.is_init() || data_pointer_leq(*v, type)) continue;
      Value next = join_data_pointer(type, *v, stack_region);
      if (round >= 3 && next.is_pointer() && type.is_pointer() && !(next.num <= type.num)) next.num = Scalar::top();
      type = next;
      changed = true;
    }
  }
  return changed;
}

std::string data_slot_name(const isa::Program& program, size_t section, size_t slot) {
  return program.sections[section].name + "+" + std::to_string(program.sections[section].pointers[slot].at);
}

}  // namespace sbpf::verifier
