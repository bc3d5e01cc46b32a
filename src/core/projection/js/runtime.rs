//! The sandbox a JavaScript projection runs in: one QuickJS runtime with
//! no module loader and none of QuickJS's `std`/`os` modules (so no files,
//! network or processes), a memory limit, a stack limit, and an interrupt
//! handler that stops user code running longer than the per-call time
//! limit. The only way out of the sandbox is the `host` object handed to
//! the prelude, whose functions record log lines and would-be emits.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::context::EvalOptions;
use rquickjs::function::Args;
use rquickjs::{Context, Ctx, Exception, Function, Object, Persistent, Runtime, Value};

use crate::core::event::{category_of, Event};
use crate::core::projection::Output;
use crate::core::time::rfc3339_ms;

const PRELUDE: &str = include_str!("../../../../assets/js/prelude.js");
/// The file name the prelude's frames carry in stacks; they are left out
/// of the stacks shown to users.
const PRELUDE_NAME: &str = "rewind:prelude";
const OUT_OF_MEMORY: &str = "InternalError: out of memory";
/// How [`describe`] words a thrown `null`.
const UNCAUGHT_NULL: &str = "uncaught null";
/// Output kept between two reads; older lines are dropped first.
const MAX_OUTPUT: usize = 10_000;
/// How long turning the state into JSON may take at least.
const STATE_TIME: Duration = Duration::from_secs(30);

/// What a projection may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long one call into the projection (one event, `$init`, loading
    /// the file, producing the state) may run before it is stopped.
    pub time_per_call: Duration,
    /// The most memory the runtime may allocate.
    pub memory_bytes: usize,
    /// The most stack JavaScript may use (deep recursion fails cleanly).
    pub stack_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            time_per_call: Duration::from_secs(1),
            memory_bytes: 256 << 20,
            stack_bytes: 1 << 20,
        }
    }
}

/// A failure inside the sandbox, before it is tied to a projection and an
/// event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub stack: Option<String>,
}

/// The prelude's API, kept alive between calls.
struct Api {
    definition: Persistent<Function<'static>>,
    reset: Persistent<Function<'static>>,
    apply: Persistent<Function<'static>>,
    deleted: Persistent<Function<'static>>,
    partition_of: Persistent<Function<'static>>,
    raw_state: Persistent<Function<'static>>,
    value_at: Persistent<Function<'static>>,
    shaped_state: Persistent<Function<'static>>,
}

/// Which of the prelude's functions to call.
#[derive(Debug, Clone, Copy)]
pub enum Call {
    Definition,
    RawState,
    ShapedState,
}

pub struct Sandbox {
    // Declared first so that they are dropped before the runtime.
    api: Option<Api>,
    context: Context,
    runtime: Runtime,
    deadline: Rc<Cell<Option<Instant>>>,
    timed_out: Rc<Cell<bool>>,
    output: Rc<RefCell<Output>>,
    limits: Limits,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Persistent values must go before the runtime they live in.
        self.api = None;
    }
}

impl Sandbox {
    /// A fresh runtime with the prelude loaded.
    pub fn new(limits: Limits) -> Result<Sandbox, Failure> {
        let runtime = Runtime::new().map_err(internal)?;
        runtime.set_memory_limit(limits.memory_bytes);
        runtime.set_max_stack_size(limits.stack_bytes);
        let deadline: Rc<Cell<Option<Instant>>> = Rc::new(Cell::new(None));
        let timed_out = Rc::new(Cell::new(false));
        {
            let deadline = deadline.clone();
            let timed_out = timed_out.clone();
            runtime.set_interrupt_handler(Some(Box::new(move || match deadline.get() {
                Some(at) if Instant::now() >= at => {
                    timed_out.set(true);
                    true
                }
                _ => false,
            })));
        }
        let context = Context::full(&runtime).map_err(internal)?;
        let mut sandbox = Sandbox {
            api: None,
            context,
            runtime,
            deadline,
            timed_out,
            output: Rc::new(RefCell::new(Output::default())),
            limits,
        };
        let output = sandbox.output.clone();
        let api = sandbox.guarded(|ctx| install(ctx, output))?;
        sandbox.api = Some(api);
        Ok(sandbox)
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Runs the user's file as a global script named `file_name`.
    pub fn load(&self, file_name: &str, source: &str) -> Result<(), Failure> {
        self.guarded(|ctx| {
            let mut options = EvalOptions::default();
            options.strict = false;
            options.filename = Some(file_name.to_string());
            ctx.eval_with_options::<(), _>(source, options)
        })
    }

    /// Calls one of the prelude's functions that return text.
    pub fn text(&self, call: Call) -> Result<String, Failure> {
        let api = self.api()?;
        let (function, limit) = match call {
            Call::Definition => (&api.definition, self.limits.time_per_call),
            // Turning a big state (a whole category's partitions) into JSON
            // takes longer than any one handler should: its own, longer
            // limit, which still stops a toJSON that never returns.
            Call::RawState => (&api.raw_state, self.state_time()),
            Call::ShapedState => (&api.shaped_state, self.state_time()),
        };
        self.guarded_for(limit, |ctx| function.clone().restore(ctx)?.call(()))
    }

    fn state_time(&self) -> Duration {
        self.limits.time_per_call.max(STATE_TIME)
    }

    /// The JSON text at a JSON Pointer into the raw state; `None` if absent.
    pub fn value_at(&self, pointer: &str) -> Result<Option<String>, Failure> {
        let api = self.api()?;
        self.guarded(|ctx| api.value_at.clone().restore(ctx)?.call((pointer,)))
    }

    /// Makes `json` (or the initial state, when `None`) the working state.
    pub fn reset(&self, json: Option<&str>) -> Result<(), Failure> {
        let api = self.api()?;
        self.guarded(|ctx| api.reset.clone().restore(ctx)?.call((json,)))
    }

    /// Folds one event into the working state; `type_index` is the
    /// position of its type in the definition's `types` (-1 if absent).
    pub fn apply(&self, type_index: i32, event: &Event) -> Result<(), Failure> {
        let api = self.api()?;
        self.guarded(|ctx| {
            let function = api.apply.clone().restore(ctx)?;
            event_args(ctx, type_index, event)?.apply(&function)
        })
    }

    /// Runs `$deleted` for the deletion of `stream`.
    pub fn deleted(&self, stream: &str) -> Result<(), Failure> {
        let api = self.api()?;
        self.guarded(|ctx| api.deleted.clone().restore(ctx)?.call((stream,)))
    }

    /// The partition key `partitionBy` gives the event.
    pub fn partition_of(&self, type_index: i32, event: &Event) -> Result<Option<String>, Failure> {
        let api = self.api()?;
        self.guarded(|ctx| {
            let function = api.partition_of.clone().restore(ctx)?;
            event_args(ctx, type_index, event)?.apply(&function)
        })
    }

    pub fn take_output(&self) -> Output {
        std::mem::take(&mut *self.output.borrow_mut())
    }

    /// Puts output taken with [`Sandbox::take_output`] back, before any
    /// output produced since.
    pub fn put_output(&self, mut output: Output) {
        let mut current = self.output.borrow_mut();
        output.logs.append(&mut current.logs);
        output.emitted.append(&mut current.emitted);
        *current = output;
    }

    pub fn push_log(&self, line: String) {
        self.output.borrow_mut().logs.push(line);
    }

    fn api(&self) -> Result<&Api, Failure> {
        self.api.as_ref().ok_or_else(|| Failure {
            message: "the JavaScript runtime is not ready".into(),
            stack: None,
        })
    }

    /// Runs `f` under the time limit and turns a JavaScript exception into
    /// a [`Failure`] with its message and stack.
    fn guarded<R>(
        &self,
        f: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<R>,
    ) -> Result<R, Failure> {
        self.guarded_for(self.limits.time_per_call, f)
    }

    /// [`Sandbox::guarded`] with a time limit of its own.
    fn guarded_for<R>(
        &self,
        limit: Duration,
        f: impl for<'js> FnOnce(&Ctx<'js>) -> rquickjs::Result<R>,
    ) -> Result<R, Failure> {
        self.timed_out.set(false);
        self.deadline.set(Some(Instant::now() + limit));
        let result = self.context.with(|ctx| match f(&ctx) {
            Ok(value) => Ok(value),
            Err(rquickjs::Error::Exception) => Err(describe(&ctx, ctx.catch())),
            Err(rquickjs::Error::Allocation) => Err(Failure {
                message: OUT_OF_MEMORY.into(),
                stack: None,
            }),
            Err(error) => Err(Failure {
                message: error.to_string(),
                stack: None,
            }),
        });
        self.deadline.set(None);
        match result {
            Err(_) if self.timed_out.get() => Err(Failure {
                message: format!(
                    "stopped after running longer than the time limit of {} (an endless loop?)",
                    show_duration(limit)
                ),
                stack: None,
            }),
            Err(mut failure) if failure.message.starts_with(OUT_OF_MEMORY) => {
                self.runtime.run_gc();
                failure.message = format!(
                    "{} (the projection may use at most {} MiB)",
                    failure.message,
                    self.limits.memory_bytes >> 20
                );
                Err(failure)
            }
            // QuickJS throws null when it runs out of memory and cannot even
            // make the error; a `throw null` in the projection looks the same.
            Err(mut failure) if failure.message == UNCAUGHT_NULL => {
                self.runtime.run_gc();
                failure.message = format!(
                    "{UNCAUGHT_NULL} (QuickJS throws null when it runs out of memory while \
                     making the error; the projection may use at most {} MiB)",
                    self.limits.memory_bytes >> 20
                );
                Err(failure)
            }
            other => other,
        }
    }
}

fn internal(error: rquickjs::Error) -> Failure {
    Failure {
        message: format!("could not start the JavaScript runtime: {error}"),
        stack: None,
    }
}

fn show_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// Installs the prelude and returns its API.
fn install<'js>(ctx: &Ctx<'js>, output: Rc<RefCell<Output>>) -> rquickjs::Result<Api> {
    let host = Object::new(ctx.clone())?;
    let logs = output.clone();
    host.set(
        "log",
        Function::new(ctx.clone(), move |line: String| {
            let mut output = logs.borrow_mut();
            if output.logs.len() >= MAX_OUTPUT {
                output.logs.drain(..MAX_OUTPUT / 2);
            }
            output.logs.push(line);
        })?,
    )?;
    host.set(
        "emit",
        Function::new(ctx.clone(), move |json: String| {
            let value = serde_json::from_str(&json).unwrap_or(serde_json::Value::String(json));
            let mut output = output.borrow_mut();
            if output.emitted.len() >= MAX_OUTPUT {
                output.emitted.drain(..MAX_OUTPUT / 2);
            }
            output.emitted.push(value);
        })?,
    )?;
    host.set(
        "category",
        Function::new(ctx.clone(), |stream: String| {
            category_of(&stream).to_string()
        })?,
    )?;
    host.set(
        "created",
        Function::new(ctx.clone(), |ms: f64| rfc3339_ms(ms as i64))?,
    )?;
    let mut options = EvalOptions::default();
    options.filename = Some(PRELUDE_NAME.to_string());
    let prelude: Function = ctx.eval_with_options(PRELUDE, options)?;
    let api: Object = prelude.call((ctx.globals(), host))?;
    let get = |name: &str| -> rquickjs::Result<Persistent<Function<'static>>> {
        let function: Function = api.get(name)?;
        Ok(Persistent::save(ctx, function))
    };
    Ok(Api {
        definition: get("definition")?,
        reset: get("reset")?,
        apply: get("apply")?,
        deleted: get("deleted")?,
        partition_of: get("partitionOf")?,
        raw_state: get("rawState")?,
        value_at: get("valueAt")?,
        shaped_state: get("shapedState")?,
    })
}

/// The arguments of the prelude's `apply(typeIndex, streamId, eventType, bodyRaw,
/// metadataRaw, sequenceNumber, position, eventId, createdMs,
/// schemaVersion)`: plain values, so that the event object is
/// built inside JavaScript without any JSON conversion on the Rust side.
fn event_args<'js>(ctx: &Ctx<'js>, type_index: i32, event: &Event) -> rquickjs::Result<Args<'js>> {
    let mut args = Args::new(ctx.clone(), 10);
    args.push_arg(type_index)?;
    args.push_arg(event.stream.as_str())?;
    args.push_arg(event.event_type.as_str())?;
    args.push_arg(event.data.as_str())?;
    args.push_arg(event.metadata.as_str())?;
    args.push_arg(event.version as f64)?;
    args.push_arg(event.position as f64)?;
    args.push_arg(event.id.as_str())?;
    args.push_arg(event.time_ms as f64)?;
    args.push_arg(event.schema_version as f64)?;
    Ok(args)
}

/// The message and stack of a thrown value, without the prelude's frames.
fn describe<'js>(ctx: &Ctx<'js>, thrown: Value<'js>) -> Failure {
    if let Some(exception) = thrown
        .as_object()
        .and_then(|o| Exception::from_object(o.clone()))
    {
        let name: Option<String> = exception.get("name").ok();
        let message = exception.message().unwrap_or_default();
        let message = match name {
            Some(name) if !name.is_empty() && name != "Error" => format!("{name}: {message}"),
            _ => message,
        };
        let stack = exception
            .stack()
            .map(|s| user_frames(&s))
            .filter(|s| !s.is_empty());
        return Failure { message, stack };
    }
    let message = match ctx.json_stringify(thrown.clone()) {
        Ok(Some(text)) => text.to_string().unwrap_or_default(),
        _ => format!("{thrown:?}"),
    };
    Failure {
        message: format!("uncaught {message}"),
        stack: None,
    }
}

fn user_frames(stack: &str) -> String {
    stack
        .lines()
        .filter(|line| !line.contains(PRELUDE_NAME) && !line.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}
