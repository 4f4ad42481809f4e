//! A small Go-template-like engine for `--format`, over `serde_json::Value` rows.
//!
//! Supported: text, `{{.}}`, `{{.Field}}`, `{{.Field.Sub}}`, function calls
//! (`json`, `lower`, `upper`, `title`, `join`, `truncate`, `len`, `print`), pipelines
//! (`{{.Names | json}}`), `{{if}}…{{else}}…{{end}}`, `{{range}}…{{else}}…{{end}}`, trim
//! markers (`{{- … -}}`), string/number/bool literals, and podman's conventions: a literal
//! `\t` or `\n` in the format is a tab or newline, a `table ` prefix asks for a header
//! line. Parsing is separate from execution and rejects bad templates with a clear error.

use std::fmt;

use serde_json::Value;

/// Deepest nesting of `if`/`range` blocks accepted (keeps recursion bounded).
const MAX_DEPTH: usize = 64;

/// Fields whose value is a map: a missing key there prints `<no value>` (as Go does for
/// maps) instead of failing.
const MAP_FIELDS: &[&str] = &["Labels", "Annotations", "Namespaces"];

/// A template parse or execution error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "template: {}", self.0)
    }
}

impl std::error::Error for TemplateError {}

fn err<T>(msg: impl Into<String>) -> Result<T, TemplateError> {
    Err(TemplateError(msg.into()))
}

/// A template function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    Json,
    Lower,
    Upper,
    Title,
    Join,
    Truncate,
    Len,
    Print,
}

impl Func {
    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "json" => Self::Json,
            "lower" => Self::Lower,
            "upper" => Self::Upper,
            "title" => Self::Title,
            "join" => Self::Join,
            "truncate" => Self::Truncate,
            "len" => Self::Len,
            "print" => Self::Print,
            _ => return None,
        })
    }

    /// Accepted argument counts (including a piped-in value).
    fn arity(self) -> (usize, usize) {
        match self {
            Self::Json | Self::Lower | Self::Upper | Self::Title | Self::Len => (1, 1),
            Self::Join | Self::Truncate => (2, 2),
            Self::Print => (0, usize::MAX),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Lower => "lower",
            Self::Upper => "upper",
            Self::Title => "title",
            Self::Join => "join",
            Self::Truncate => "truncate",
            Self::Len => "len",
            Self::Print => "print",
        }
    }
}

/// An operand: a field path (empty = `.`), or a literal.
#[derive(Clone, Debug, PartialEq)]
enum Operand {
    Field(Vec<String>),
    Str(String),
    Int(i64),
    Bool(bool),
}

/// One command of a pipeline: a function applied to operands, or a single operand.
#[derive(Clone, Debug, PartialEq)]
enum Cmd {
    Call(Func, Vec<Operand>),
    Operand(Operand),
}

/// `cmd | cmd | …`.
#[derive(Clone, Debug, PartialEq)]
struct Pipeline(Vec<Cmd>);

#[derive(Clone, Debug, PartialEq)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
}

/// A parsed template.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    nodes: Vec<Node>,
    table: bool,
}

/// Converts podman's escapes: a literal backslash-t / backslash-n becomes a tab / newline.
pub fn normalize(format: &str) -> String {
    format.replace("\\t", "\t").replace("\\n", "\n")
}

impl Template {
    /// Parses a `--format` string (after [`normalize`]-ing it). A leading `table ` asks for a
    /// header line (see [`Template::is_table`]).
    pub fn parse(format: &str) -> Result<Self, TemplateError> {
        let norm = normalize(format);
        let (table, body) = match norm.strip_prefix("table") {
            Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t']) => {
                (true, rest.trim_start_matches([' ', '\t']))
            }
            _ => (false, norm.as_str()),
        };
        let tokens = lex(body)?;
        let mut p = Parser { tokens, pos: 0 };
        let (nodes, end) = p.parse_list(0)?;
        match end {
            Stop::Eof => Ok(Self { nodes, table }),
            Stop::Else => err("unexpected {{else}}"),
            Stop::End => err("unexpected {{end}}"),
        }
    }

    /// Did the format start with `table`?
    pub fn is_table(&self) -> bool {
        self.table
    }

    /// Is the template empty (e.g. the format was just `table`)?
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Executes the template against one row.
    pub fn render(&self, data: &Value) -> Result<String, TemplateError> {
        let mut out = String::new();
        exec_list(&self.nodes, data, &mut out)?;
        Ok(out)
    }

    /// Renders the header line: each action prints the header of the field it shows
    /// (`header("InfraID")` → `INFRA ID`), text is kept, blocks print nothing.
    pub fn render_header(&self, header: &dyn Fn(&str) -> String) -> String {
        let mut out = String::new();
        for n in &self.nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Action(p) => {
                    if let Some(path) = first_field(p) {
                        if path.is_empty() {
                            continue;
                        }
                        out.push_str(&header(&path.join(".")));
                    }
                }
                Node::If(..) | Node::Range(..) => {}
            }
        }
        out
    }
}

/// The default header of a field: camel case split into upper-case words
/// (`InfraID` → `INFRA ID`, `NumberOfContainers` → `NUMBER OF CONTAINERS`).
pub fn default_header(field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let chars: Vec<char> = last.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if i > 0 && c.is_uppercase() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push(' ');
            }
        }
        out.extend(c.to_uppercase());
    }
    out
}

fn first_field(p: &Pipeline) -> Option<&Vec<String>> {
    for c in &p.0 {
        match c {
            Cmd::Operand(Operand::Field(f)) => return Some(f),
            Cmd::Call(_, args) => {
                for a in args {
                    if let Operand::Field(f) = a {
                        return Some(f);
                    }
                }
            }
            Cmd::Operand(_) => {}
        }
    }
    None
}

// ---------------------------------------------------------------------------------------
// Lexing: text and actions.

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Text(String),
    /// The words of one `{{ … }}` action.
    Action(Vec<Word>),
}

#[derive(Clone, Debug, PartialEq)]
enum Word {
    Field(Vec<String>),
    Ident(String),
    Str(String),
    Int(i64),
    Pipe,
}

fn lex(s: &str) -> Result<Vec<Tok>, TemplateError> {
    let mut toks = Vec::new();
    let mut rest = s;
    let mut trim_next_text = false;
    while !rest.is_empty() {
        let (text, after) = match rest.find("{{") {
            Some(i) => (&rest[..i], Some(&rest[i + 2..])),
            None => (rest, None),
        };
        let mut text = text.to_owned();
        if trim_next_text {
            text = text.trim_start().to_owned();
        }
        let Some(after) = after else {
            if !text.is_empty() {
                toks.push(Tok::Text(text));
            }
            break;
        };
        // `{{- ` trims preceding whitespace.
        let (after, trim_left) = match after.strip_prefix('-') {
            Some(a) if a.starts_with([' ', '\t', '\n']) => (a, true),
            _ => (after, false),
        };
        if trim_left {
            text = text.trim_end().to_owned();
        }
        if !text.is_empty() {
            toks.push(Tok::Text(text));
        }
        let (words, remaining, trim_right) = lex_action(after)?;
        toks.push(Tok::Action(words));
        trim_next_text = trim_right;
        rest = remaining;
    }
    Ok(toks)
}

/// Lexes one action's words up to `}}`; returns the words, the rest, and whether `-}}`
/// asked to trim the following text.
fn lex_action(s: &str) -> Result<(Vec<Word>, &str, bool), TemplateError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut words = Vec::new();
    loop {
        while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i >= b.len() {
            return err("unclosed action: missing \"}}\"");
        }
        if b[i..].starts_with(b"}}") {
            return Ok((words, &s[i + 2..], false));
        }
        if b[i..].starts_with(b"-}}") && i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') {
            return Ok((words, &s[i + 3..], true));
        }
        let c = b[i];
        match c {
            b'|' => {
                words.push(Word::Pipe);
                i += 1;
            }
            b'.' => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.')
                {
                    i += 1;
                }
                let text = &s[start..i];
                if text == "." {
                    words.push(Word::Field(Vec::new()));
                } else {
                    let parts: Vec<String> = text[1..].split('.').map(str::to_owned).collect();
                    if parts.iter().any(|p| p.is_empty()) {
                        return err(format!("bad field {text:?}"));
                    }
                    words.push(Word::Field(parts));
                }
            }
            b'"' => {
                i += 1;
                let mut out = String::new();
                loop {
                    let Some(ch) = s[i..].chars().next() else {
                        return err("unterminated quoted string");
                    };
                    i += ch.len_utf8();
                    match ch {
                        '"' => break,
                        '\n' => return err("unterminated quoted string"),
                        '\\' => {
                            let Some(e) = s[i..].chars().next() else {
                                return err("unterminated quoted string");
                            };
                            i += e.len_utf8();
                            out.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                '\\' => '\\',
                                '"' => '"',
                                other => return err(format!("unknown escape sequence \\{other}")),
                            });
                        }
                        other => out.push(other),
                    }
                }
                words.push(Word::Str(out));
            }
            b'`' => {
                let Some(end) = s[i + 1..].find('`') else {
                    return err("unterminated raw quoted string");
                };
                words.push(Word::Str(s[i + 1..i + 1 + end].to_owned()));
                i += end + 2;
            }
            b'0'..=b'9' | b'-' => {
                let start = i;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                let text = &s[start..i];
                let n: i64 = text
                    .parse()
                    .map_err(|_| TemplateError(format!("bad number {text:?}")))?;
                words.push(Word::Int(n));
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                words.push(Word::Ident(s[start..i].to_owned()));
            }
            _ => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return err(format!("unexpected {ch:?} in action"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing.

enum Stop {
    Eof,
    Else,
    End,
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn parse_list(&mut self, depth: usize) -> Result<(Vec<Node>, Stop), TemplateError> {
        if depth > MAX_DEPTH {
            return err("blocks nested too deeply");
        }
        let mut nodes = Vec::new();
        while self.pos < self.tokens.len() {
            let tok = self.tokens[self.pos].clone();
            self.pos += 1;
            match tok {
                Tok::Text(t) => nodes.push(Node::Text(t)),
                Tok::Action(words) => match words.first() {
                    None => return err("missing value for command"),
                    Some(Word::Ident(k)) if k == "end" => {
                        if words.len() > 1 {
                            return err("unexpected words after end");
                        }
                        return Ok((nodes, Stop::End));
                    }
                    Some(Word::Ident(k)) if k == "else" => {
                        if words.len() > 1 {
                            return err("unexpected words after else");
                        }
                        return Ok((nodes, Stop::Else));
                    }
                    Some(Word::Ident(k)) if k == "if" || k == "range" => {
                        let is_if = k == "if";
                        let pipe = parse_pipeline(&words[1..])?;
                        let (body, end) = self.parse_list(depth + 1)?;
                        let else_body = match end {
                            Stop::Eof => {
                                return err(format!("unexpected EOF: missing {{{{end}}}} for {k}"))
                            }
                            Stop::End => Vec::new(),
                            Stop::Else => {
                                let (e, end2) = self.parse_list(depth + 1)?;
                                match end2 {
                                    Stop::End => e,
                                    Stop::Eof => {
                                        return err(format!(
                                            "unexpected EOF: missing {{{{end}}}} for {k}"
                                        ))
                                    }
                                    Stop::Else => return err("more than one {{else}}"),
                                }
                            }
                        };
                        nodes.push(if is_if {
                            Node::If(pipe, body, else_body)
                        } else {
                            Node::Range(pipe, body, else_body)
                        });
                    }
                    Some(_) => nodes.push(Node::Action(parse_pipeline(&words)?)),
                },
            }
        }
        Ok((nodes, Stop::Eof))
    }
}

fn parse_pipeline(words: &[Word]) -> Result<Pipeline, TemplateError> {
    if words.is_empty() {
        return err("missing value for command");
    }
    let mut cmds = Vec::new();
    for (idx, part) in words.split(|w| *w == Word::Pipe).enumerate() {
        if part.is_empty() {
            return err("missing command in pipeline");
        }
        let piped = idx > 0;
        let cmd = match &part[0] {
            Word::Ident(name) if Func::from_name(name).is_some() => {
                let f = Func::from_name(name).ok_or_else(|| TemplateError(String::new()))?;
                let args = part[1..]
                    .iter()
                    .map(operand)
                    .collect::<Result<Vec<_>, _>>()?;
                let n = args.len() + usize::from(piped);
                let (lo, hi) = f.arity();
                if n < lo || n > hi {
                    return err(format!(
                        "wrong number of args for {}: want {}, got {n}",
                        f.name(),
                        lo
                    ));
                }
                Cmd::Call(f, args)
            }
            Word::Ident(name) if !matches!(name.as_str(), "true" | "false") => {
                return err(format!("function {name:?} not defined"));
            }
            _ => {
                if part.len() > 1 {
                    return err("can't give argument to non-function");
                }
                if piped {
                    return err("non-function in pipeline position after |");
                }
                Cmd::Operand(operand(&part[0])?)
            }
        };
        cmds.push(cmd);
    }
    Ok(Pipeline(cmds))
}

fn operand(w: &Word) -> Result<Operand, TemplateError> {
    Ok(match w {
        Word::Field(f) => Operand::Field(f.clone()),
        Word::Str(s) => Operand::Str(s.clone()),
        Word::Int(n) => Operand::Int(*n),
        Word::Ident(k) if k == "true" => Operand::Bool(true),
        Word::Ident(k) if k == "false" => Operand::Bool(false),
        Word::Ident(k) => return err(format!("function {k:?} used as an argument")),
        Word::Pipe => return err("unexpected |"),
    })
}

// ---------------------------------------------------------------------------------------
// Execution.

fn exec_list(nodes: &[Node], dot: &Value, out: &mut String) -> Result<(), TemplateError> {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Action(p) => out.push_str(&go_string(&eval_pipeline(p, dot)?)),
            Node::If(p, then, els) => {
                if truthy(&eval_pipeline(p, dot)?) {
                    exec_list(then, dot, out)?;
                } else {
                    exec_list(els, dot, out)?;
                }
            }
            Node::Range(p, body, els) => {
                let v = eval_pipeline(p, dot)?;
                let items: Vec<Value> = match v {
                    Value::Array(a) => a,
                    Value::Object(m) => m.into_iter().map(|(_, v)| v).collect(),
                    Value::Null => Vec::new(),
                    other => return err(format!("range can't iterate over {}", go_string(&other))),
                };
                if items.is_empty() {
                    exec_list(els, dot, out)?;
                }
                for item in &items {
                    exec_list(body, item, out)?;
                }
            }
        }
    }
    Ok(())
}

fn eval_pipeline(p: &Pipeline, dot: &Value) -> Result<Value, TemplateError> {
    let mut prev: Option<Value> = None;
    for c in &p.0 {
        let v = match c {
            Cmd::Operand(o) => eval_operand(o, dot)?,
            Cmd::Call(f, args) => {
                let mut vals = args
                    .iter()
                    .map(|a| eval_operand(a, dot))
                    .collect::<Result<Vec<_>, _>>()?;
                if let Some(p) = prev.take() {
                    vals.push(p);
                }
                call(*f, &vals)?
            }
        };
        prev = Some(v);
    }
    Ok(prev.unwrap_or(Value::Null))
}

fn eval_operand(o: &Operand, dot: &Value) -> Result<Value, TemplateError> {
    Ok(match o {
        Operand::Str(s) => Value::String(s.clone()),
        Operand::Int(n) => Value::from(*n),
        Operand::Bool(b) => Value::Bool(*b),
        Operand::Field(path) => {
            let mut cur = dot;
            let mut map_like = false;
            for name in path {
                match cur {
                    Value::Object(m) => match m.get(name) {
                        Some(v) => cur = v,
                        None if map_like => return Ok(Value::String("<no value>".into())),
                        None => return err(format!("can't evaluate field {name}")),
                    },
                    Value::Null if map_like => return Ok(Value::String("<no value>".into())),
                    _ => return err(format!("can't evaluate field {name} in {}", go_string(cur))),
                }
                map_like = MAP_FIELDS.contains(&name.as_str());
            }
            cur.clone()
        }
    })
}

fn call(f: Func, args: &[Value]) -> Result<Value, TemplateError> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Null);
    Ok(match f {
        Func::Json => {
            Value::String(serde_json::to_string(&arg(0)).map_err(|e| TemplateError(e.to_string()))?)
        }
        Func::Lower => Value::String(go_string(&arg(0)).to_lowercase()),
        Func::Upper => Value::String(go_string(&arg(0)).to_uppercase()),
        Func::Title => {
            let s = go_string(&arg(0));
            let mut out = String::with_capacity(s.len());
            let mut start = true;
            for c in s.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = c.is_whitespace();
            }
            Value::String(out)
        }
        Func::Join => {
            let sep = go_string(&arg(1));
            match arg(0) {
                Value::Array(a) => {
                    Value::String(a.iter().map(go_string).collect::<Vec<_>>().join(&sep))
                }
                Value::Null => Value::String(String::new()),
                other => Value::String(go_string(&other)),
            }
        }
        Func::Truncate => {
            let n = match arg(1) {
                Value::Number(n) => n.as_i64().unwrap_or(0),
                other => return err(format!("truncate: bad length {}", go_string(&other))),
            };
            let n = usize::try_from(n).unwrap_or(0);
            Value::String(go_string(&arg(0)).chars().take(n).collect())
        }
        Func::Len => match arg(0) {
            Value::Array(a) => Value::from(a.len()),
            Value::Object(m) => Value::from(m.len()),
            Value::String(s) => Value::from(s.chars().count()),
            Value::Null => Value::from(0),
            other => return err(format!("len of {}", go_string(&other))),
        },
        Func::Print => Value::String(args.iter().map(go_string).collect::<Vec<_>>().join(" ")),
    })
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(m) => !m.is_empty(),
    }
}

/// Prints a value as Go's `fmt` would: strings bare, `[a b]` for slices, `map[k:v]` for maps.
pub fn go_string(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(go_string).collect::<Vec<_>>().join(" ")
        ),
        Value::Object(m) => format!(
            "map[{}]",
            m.iter()
                .map(|(k, v)| format!("{k}:{}", go_string(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Value {
        json!({
            "ID": "abc123",
            "Name": "web",
            "Labels": {"app": "x", "tier": "front"},
            "Names": ["a", "b"],
            "Num": 3,
            "State": {"Status": "running", "Pid": 42},
            "Empty": [],
            "Flag": false
        })
    }

    fn render(fmt: &str) -> Result<String, TemplateError> {
        Template::parse(fmt)?.render(&row())
    }

    #[test]
    fn fields_and_text() {
        assert_eq!(render("{{.ID}} {{.Name}}").unwrap(), "abc123 web");
        assert_eq!(
            render("{{ .State.Status }}:{{.State.Pid}}").unwrap(),
            "running:42"
        );
        assert_eq!(render("plain").unwrap(), "plain");
        assert_eq!(render("").unwrap(), "");
    }

    #[test]
    fn escapes_become_tabs_and_newlines() {
        assert_eq!(render("{{.ID}}\\t{{.Name}}\\n").unwrap(), "abc123\tweb\n");
    }

    #[test]
    fn go_printing_of_collections() {
        assert_eq!(render("{{.Names}}").unwrap(), "[a b]");
        assert_eq!(render("{{.Labels}}").unwrap(), "map[app:x tier:front]");
        assert_eq!(render("{{.Labels.app}}").unwrap(), "x");
        assert_eq!(render("{{.Labels.missing}}").unwrap(), "<no value>");
    }

    #[test]
    fn functions_and_pipelines() {
        assert_eq!(render("{{json .Names}}").unwrap(), r#"["a","b"]"#);
        assert_eq!(render("{{.Names | json}}").unwrap(), r#"["a","b"]"#);
        assert_eq!(render("{{upper .Name}}").unwrap(), "WEB");
        assert_eq!(render("{{.Name | upper | lower}}").unwrap(), "web");
        assert_eq!(render("{{title \"hello world\"}}").unwrap(), "Hello World");
        assert_eq!(render("{{join .Names \",\"}}").unwrap(), "a,b");
        assert_eq!(render("{{truncate .ID 3}}").unwrap(), "abc");
        assert_eq!(render("{{len .Names}}").unwrap(), "2");
        assert_eq!(render("{{print .Name .Num}}").unwrap(), "web 3");
        let j: Value = serde_json::from_str(&render("{{json .}}").unwrap()).unwrap();
        assert_eq!(j, row());
    }

    #[test]
    fn blocks() {
        assert_eq!(render("{{if .Flag}}y{{else}}n{{end}}").unwrap(), "n");
        assert_eq!(render("{{if .Names}}y{{end}}").unwrap(), "y");
        assert_eq!(render("{{range .Names}}<{{.}}>{{end}}").unwrap(), "<a><b>");
        assert_eq!(
            render("{{range .Empty}}x{{else}}none{{end}}").unwrap(),
            "none"
        );
        assert_eq!(
            render("{{range .Names}}{{if .}}[{{.}}]{{end}}{{end}}").unwrap(),
            "[a][b]"
        );
    }

    #[test]
    fn trim_markers() {
        assert_eq!(render("a  {{- .Name -}}  b").unwrap(), "awebb");
    }

    #[test]
    fn table_prefix_and_header() {
        let t = Template::parse("table {{.ID}}\\t{{.InfraID}}").unwrap();
        assert!(t.is_table());
        assert_eq!(t.render_header(&default_header), "ID\tINFRA ID");
        let t = Template::parse("{{.ID}}").unwrap();
        assert!(!t.is_table());
        let t = Template::parse("table").unwrap();
        assert!(t.is_table() && t.is_empty());
        // "tablex" is not the table prefix.
        assert!(!Template::parse("tablex").unwrap().is_table());
    }

    #[test]
    fn default_headers() {
        assert_eq!(default_header("NumberOfContainers"), "NUMBER OF CONTAINERS");
        assert_eq!(default_header("InfraID"), "INFRA ID");
        assert_eq!(default_header("ID"), "ID");
        assert_eq!(default_header("State.Status"), "STATUS");
    }

    #[test]
    fn parse_errors_are_clear() {
        for (fmt, want) in [
            ("{{.ID", "unclosed action"),
            ("{{foo .ID}}", "function \"foo\" not defined"),
            ("{{end}}", "unexpected {{end}}"),
            ("{{else}}", "unexpected {{else}}"),
            ("{{if .ID}}x", "missing {{end}}"),
            ("{{range .Names}}", "missing {{end}}"),
            ("{{}}", "missing value"),
            ("{{.ID | }}", "missing command"),
            ("{{\"abc}}", "unterminated quoted string"),
            ("{{json}}", "wrong number of args"),
            ("{{.ID .Name}}", "non-function"),
            ("{{.ID | .Name}}", "non-function"),
            ("{{#}}", "unexpected"),
            ("{{.a..b}}", "bad field"),
            ("{{if 1}}{{else}}{{else}}{{end}}", "more than one"),
        ] {
            let e = Template::parse(fmt).unwrap_err();
            assert!(e.to_string().starts_with("template: "), "{e}");
            assert!(e.to_string().contains(want), "{fmt}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowing() {
        let fmt = "{{if 1}}".repeat(1000) + &"{{end}}".repeat(1000);
        assert!(Template::parse(&fmt).unwrap_err().0.contains("nested"));
    }

    #[test]
    fn exec_errors() {
        let e = render("{{.Nope}}").unwrap_err();
        assert!(e.to_string().contains("can't evaluate field Nope"), "{e}");
        let e = render("{{.Name.Sub}}").unwrap_err();
        assert!(e.to_string().contains("can't evaluate field Sub"), "{e}");
        assert!(render("{{range .Name}}{{end}}").is_err());
    }

    #[test]
    fn random_templates_never_panic() {
        // a small deterministic fuzz over the template alphabet
        const PIECES: &[&str] = &[
            "{{",
            "}}",
            "{{-",
            "-}}",
            " ",
            ".",
            ".Name",
            ".Labels.app",
            "|",
            "json",
            "if",
            "range",
            "else",
            "end",
            "\"",
            "\\",
            "`",
            "é",
            "x",
            "1",
            "-",
            "\\t",
            "table ",
            "(",
            "len",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 12) as usize;
            let mut x = seed;
            for _ in 0..n {
                x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                s.push_str(PIECES[(x >> 33) as usize % PIECES.len()]);
            }
            if let Ok(t) = Template::parse(&s) {
                let _ = t.render(&row());
                let _ = t.render_header(&default_header);
            }
        }
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let samples = [
            "{{",
            "}}",
            "{{-",
            "-}}",
            "{{- -}}",
            "{{`",
            "{{\"\\",
            "{{.",
            "{{..}}",
            "{{-1}}",
            "{{ - }}",
            "{{|}}",
            "{{range}}{{end}}",
            "{{if}}{{end}}",
            "{{é}}",
            "{{\"é\\é\"}}",
            "table",
            "table {{",
            "{{99999999999999999999}}",
        ];
        for s in samples {
            if let Ok(t) = Template::parse(s) {
                let _ = t.render(&row());
                let _ = t.render_header(&default_header);
            }
        }
    }
}
