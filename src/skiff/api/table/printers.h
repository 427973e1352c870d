// Internal to the table library: one Printer per resource (its columns and its cell function),
// grouped by area in workloads.cc, core.cc and storage.cc. table.cc looks them up by resource.
// Immutable after static initialisation; safe from any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "boost/json.hpp"
#include "skiff/api/table/table.h"

namespace skiff::api::table {

using CellsFn = boost::json::array (*)(const boost::json::value& obj, absl::Time now);

struct Printer {
  std::string_view group;
  std::string_view plural;
  std::vector<Column> columns;
  CellsFn cells;
};

std::vector<Printer> WorkloadPrinters();  // pods and their controllers, PDBs, revisions
std::vector<Printer> CorePrinters();      // nodes, namespaces, config, services, events, leases
std::vector<Printer> StoragePrinters();   // persistent volumes, claims, storage classes

// Column builders shared by every printer.
Column NameColumn(int priority = 0);
Column AgeColumn();
Column StringColumn(std::string name, std::string description, int priority = 0);
Column IntegerColumn(std::string name, std::string description, int priority = 0);

// metadata.name and the object's age.
std::string ObjectName(const boost::json::value& obj);
std::string ObjectAge(const boost::json::value& obj, absl::Time now);

// Pod cells and row conditions (pod.cc), used by the workload printers.
boost::json::array PodCells(const boost::json::value& pod, absl::Time now);
boost::json::array PodConditions(const boost::json::value& pod);

}  // namespace skiff::api::table
