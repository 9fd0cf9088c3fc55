//! `/api/callgraph` and `/api/callgraph.dot`: which instrumented function
//! called which, how often.

use std::fmt::Write as _;

use omniscope_sdk::FunctionStats;
use serde::Serialize;

/// The call graph, as JSON.
#[derive(Debug, Serialize)]
pub(crate) struct CallGraphView {
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

/// The graph, for both renderings.
#[derive(Debug)]
pub(crate) struct CallGraph {
    view: CallGraphView,
}

#[derive(Debug, Serialize)]
struct Node {
    name: String,
    calls: u64,
    errors: u64,
    panics: u64,
    in_flight: i64,
}

#[derive(Debug, Serialize)]
struct Edge {
    /// `null` for calls from outside any instrumented function.
    caller: Option<String>,
    callee: String,
    calls: u64,
}

impl CallGraph {
    pub(crate) fn of(stats: &[FunctionStats]) -> CallGraph {
        let nodes = stats
            .iter()
            .map(|f| Node {
                name: f.name.clone(),
                calls: f.calls,
                errors: f.errors_total(),
                panics: f.panics,
                in_flight: f.in_flight,
            })
            .collect();
        let edges = stats
            .iter()
            .flat_map(|f| {
                f.callers.iter().map(|(caller, calls)| Edge {
                    caller: (!caller.is_empty()).then(|| caller.clone()),
                    callee: f.name.clone(),
                    calls: *calls,
                })
            })
            .collect();
        CallGraph {
            view: CallGraphView { nodes, edges },
        }
    }

    /// The JSON document.
    pub(crate) fn view(&self) -> &CallGraphView {
        &self.view
    }

    /// Graphviz DOT: one box per function (with its calls and errors), one
    /// arrow per caller → callee labelled with the count; calls from outside
    /// instrumented code come from a point named `(entry)`.
    pub(crate) fn to_dot(&self) -> String {
        let mut out = String::from("digraph callgraph {\n  rankdir=LR;\n  node [shape=box];\n");
        if self.view.edges.iter().any(|e| e.caller.is_none()) {
            out.push_str("  \"(entry)\" [shape=point];\n");
        }
        for n in &self.view.nodes {
            let label = format!("{}\ncalls {}  errors {}", n.name, n.calls, n.errors);
            let _ = writeln!(out, "  {} [label={}];", quote(&n.name), quote(&label));
        }
        for e in &self.view.edges {
            let caller = e.caller.as_deref().unwrap_or("(entry)");
            let _ = writeln!(
                out,
                "  {} -> {} [label=\"{}\"];",
                quote(caller),
                quote(&e.callee),
                e.calls
            );
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT double-quoted string.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str, calls: u64, callers: &[(&str, u64)]) -> FunctionStats {
        let mut f = FunctionStats::default();
        f.name = name.to_owned();
        f.calls = calls;
        f.callers = callers.iter().map(|(c, n)| ((*c).to_owned(), *n)).collect();
        f
    }

    #[test]
    fn dot_has_a_box_per_function_and_an_arrow_per_edge() {
        let graph = CallGraph::of(&[
            function("orders::create", 3, &[("", 3)]),
            function("orders::charge\"x", 2, &[("orders::create", 2)]),
        ]);
        let dot = graph.to_dot();
        assert!(dot.starts_with("digraph callgraph {"), "{dot}");
        assert!(
            dot.contains("\"(entry)\" -> \"orders::create\" [label=\"3\"];"),
            "{dot}"
        );
        assert!(
            dot.contains("\"orders::create\" -> \"orders::charge\\\"x\" [label=\"2\"];"),
            "{dot}"
        );
        assert!(
            dot.contains("[label=\"orders::create\\ncalls 3  errors 0\"]"),
            "{dot}"
        );
        let json = serde_json::to_value(graph.view()).unwrap();
        assert_eq!(json["edges"][0]["caller"], serde_json::Value::Null);
        assert_eq!(json["nodes"].as_array().unwrap().len(), 2);
    }
}
