// What the address slots of global data (isa::DataPointer) may hold, as the
// analysis types them: one value per slot for the whole program, whatever
// the path or the run.
//
// Why that is sound. Call type(S) the value of slot S. The analysis reads
// an 8-byte load of exactly S as type(S), and trusts it: a proven access
// through it goes unchecked. That is right as long as S holds a value in
// type(S) at every point of every run, which holds by induction over the
// writes to S:
//  - At load, S holds its initial address or null (the engines write it,
//    runtime/global_data.h), and initial_data_pointers() puts exactly that
//    in type(S). Global data persists between runs of an engine, so type(S)
//    must hold what any earlier run left: it is the same type for all runs.
//  - A store the verifier proved in bounds lands where its pointer's offset
//    says (the analysis is sound for offsets). If its bytes may meet a slot,
//    it must be an 8-byte store of whole slots (one or several: a table
//    indexed by a variable) of a value that may live in global data (a
//    pointer into global data, or 0); any other is rejected, or guarded when
//    its offset is not exact. The value it stores is recorded (observed) for
//    each slot it may hit.
//  - A guarded access may land anywhere in the regions of its kinds (the
//    run-time check sees kinds, not sections), and a helper touches
//    [ptr, ptr + len) for a length known only then: neither may touch a slot
//    byte at all, which the run-time checks enforce
//    (runtime::RegionTable::translate); the JIT never caches a region that
//    holds slots, so its guards always take that check.
//  - Nothing else writes global data: the caller never sees it.
// verify() analyses the program with the current types, and when some slot
// observed a value outside its type, joins the value in (widening the
// offsets after a few rounds, so that it ends) and analyses again. Only an
// analysis whose stores all fit the types it assumed gives the verdict.
//
// And no address leaks: a load that may read part of a slot, or a slot and
// other bytes in one value, is rejected (exact) or guarded (the run-time
// check keeps it off the slot); helpers never read a slot; a pointer read
// from a slot is a pointer to the analysis, with every rule that keeps
// pointers from becoming numbers the caller sees.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "isa/program.h"
#include "verifier/abstract_state.h"

namespace sbpf::verifier {

// Per Program::sections index, per DataSection::pointers index.
using DataPointerTypes = std::vector<std::vector<Value>>;
using DataPointerStores = std::vector<std::vector<std::optional<Value>>>;

// Each slot's initial content: a pointer to its target at its offset, or
// the number 0 for a slot that starts out null.
DataPointerTypes initial_data_pointers(const isa::Program& program, const RegionTable& regions);

// Whether a slot may keep `v`: a pointer into global data only (the other
// regions end with the run, or are the caller's), possibly null, or 0.
bool storable_in_data(const Value& v, const RegionTable& regions);

// Joins what the last analysis stored into `types`; `round` counts the
// analyses so far: from the third, offsets that still grow widen to any
// offset. `stack_region`: RegionTable::stack. Returns whether some type
// changed.
bool settle_data_pointers(DataPointerTypes& types, const DataPointerStores& stored, int round, int stack_region);

// A slot's value joined with another one it may hold (0 makes a pointer
// "or null").
Value join_data_pointer(const Value& a, const Value& b, int stack_region);

// "section+at", for messages.
std::string data_slot_name(const isa::Program& program, size_t section, size_t slot);

}  // namespace sbpf::verifier
