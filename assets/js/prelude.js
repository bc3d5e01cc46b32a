// Rewind's JavaScript projection prelude.
//
// Evaluated once per projection runtime, before the user's file. It defines
// the KurrentDB-style globals a projection file calls (fromAll, fromStream,
// fromStreams, fromCategory, options, log, emit, linkTo, upcast) and returns
// the internal API that Rewind's Rust side drives (definition, reset, apply,
// deleted, partitionOf, rawState, shapedState, valueAt). Nothing here can
// reach files, the network or processes: the only way out is the `host`
// object, whose functions only record log lines and would-be emits.
//
// The semantics follow KurrentDB's projection engine (version 1, its
// default): which events reach a handler, when a partition is created, and
// what bi-state handlers receive. assets/projections/README.md describes
// them for users.
(function (global, host) {
  "use strict";

  // KurrentDB matches option names without regard to case, and checks the
  // type of each value.
  const OPTION_TYPES = {
    resultstreamname: "string", $includelinks: "boolean", reorderevents: "boolean",
    processinglag: "number", bistate: "boolean",
  };
  const TIME = Symbol("createdMs");
  const NOT_JSON = Symbol("notJson");
  const MAX_UPCASTS = 64;

  let selector = null; // {kind: "all" | "streams" | "category", streams, category}
  let partitioning = "none"; // "none" | "stream" | "function"
  let partitionFn = null;
  let handlers = null; // Map eventType -> function
  let initHandler = null;
  let initSharedHandler = null;
  let anyHandler = null;
  let deletedHandler = null;
  const createdHandlers = [];
  // KurrentDB hands a projection every event until when({...}) names an
  // event type; `$any` asks for every event again (which, after a named
  // type, KurrentDB refuses: see checkDefinition).
  let allEvents = true;
  let biState = false;
  const options = {}; // lower-case option name -> value
  const shaping = []; // [{kind: "transform" | "filter", fn}] in the order chained
  const upcasters = new Map(); // eventType -> Map(schemaVersion -> function)
  const warnings = [];

  // The working state. A state of null (or none) is not created yet: the
  // next handled event of its partition runs $init and $created first.
  let root = null; // the state of an unpartitioned projection
  let partitions = new Map(); // partition key -> state (partitioned)
  let shared = null; // the shared state of a bi-state projection

  // Set by definition(): the event types Rewind numbers. apply() gets the
  // number, so that finding an event's handler needs no lookup by name.
  let indexTypes = [];
  let handlerByIndex = [];
  let upcastByIndex = [];


  // ---- the event handed to handlers -------------------------------------

  function parseOr(text) {
    try {
      return [JSON.parse(text), true];
    } catch (_) {
      return [text, false];
    }
  }

  // Events are object literals with this prototype (building a literal is
  // cheaper in QuickJS than running a constructor).
  function ProjectionEvent() {}

  function makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
    let data;
    let notJson = false;
    try {
      data = JSON.parse(bodyRaw);
    } catch (_) {
      data = bodyRaw;
      notJson = true;
    }
    const event = {
      __proto__: EVENT_PROTOTYPE, streamId, eventType, data, bodyRaw, metadataRaw,
      sequenceNumber, eventId, position, schemaVersion, partition: "", [TIME]: createdMs,
    };
    if (notJson) event[NOT_JSON] = true;
    return event;
  }

  function defineOwn(target, key, value) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }

  // `body`, `metadata`, `created`, `category` and `isJson` live on the
  // prototype: `body` is an alias of `data`, and the others are only worked
  // out when a handler reads them, which keeps building an event cheap.
  const EVENT_PROTOTYPE = ProjectionEvent.prototype;
  Object.defineProperties(EVENT_PROTOTYPE, {
    body: {
      get() { return this.data; },
      set(value) { this.data = value; },
      enumerable: false,
      configurable: true,
    },
    metadata: {
      get() {
        const value = parseOr(this.metadataRaw)[0];
        defineOwn(this, "metadata", value);
        return value;
      },
      set(value) { defineOwn(this, "metadata", value); },
      enumerable: false,
      configurable: true,
    },
    created: {
      get() { return host.created(this[TIME]); },
      enumerable: false,
      configurable: true,
    },
    category: {
      get() { return host.category(this.streamId); },
      enumerable: false,
      configurable: true,
    },
    isJson: {
      get() { return this[NOT_JSON] !== true; },
      enumerable: false,
      configurable: true,
    },
    toJSON: {
      value: function () {
        return {
          streamId: this.streamId, eventType: this.eventType, data: this.data,
          metadata: this.metadata, sequenceNumber: this.sequenceNumber,
          eventId: this.eventId, created: this.created, position: this.position,
          schemaVersion: this.schemaVersion, category: this.category,
          partition: this.partition, isJson: this.isJson,
        };
      },
      enumerable: false,
      configurable: true,
      writable: true,
    },
  });
  // ---- the globals a projection file uses -------------------------------

  function fail(message) {
    throw new Error(message);
  }

  function select(kind, streams, category) {
    if (selector !== null) fail("a projection has one selector: fromAll, fromStream, fromStreams or fromCategory is called twice");
    selector = { kind, streams, category };
    return sourceApi;
  }

  function defineHandlers(object) {
    if (handlers !== null) fail("when({...}) is called twice");
    if (object === null || typeof object !== "object") fail("when(...) takes an object of handlers, such as when({$init: () => ({}), Deposited: (s, e) => ...})");
    handlers = new Map();
    // In the object's key order, as KurrentDB reads them: a `$any` before
    // the typed handlers never runs, one after them is refused.
    for (const key of Object.keys(object)) {
      const fn = object[key];
      if (typeof fn !== "function") fail(`when({...}): the handler for '${key}' is not a function`);
      switch (key) {
        case "$init": initHandler = fn; break;
        case "$initShared": initSharedHandler = fn; biState = true; break;
        case "$any": anyHandler = fn; allEvents = true; break;
        case "$created": createdHandlers.push(fn); break;
        case "$deleted": deletedHandler = fn; break;
        default: handlers.set(key, fn); allEvents = false;
      }
    }
    return resultApi;
  }

  function stringArgument(value, what) {
    if (typeof value !== "string") fail(`${what} must be a string`);
  }

  const resultApi = {
    transformBy(fn) {
      if (typeof fn !== "function") fail("transformBy(...) takes a function of the state");
      shaping.push({ kind: "transform", fn });
      return resultApi;
    },
    filterBy(fn) {
      if (typeof fn !== "function") fail("filterBy(...) takes a function of the state");
      shaping.push({ kind: "filter", fn });
      return resultApi;
    },
    // Both name where KurrentDB would write results; Rewind shows them and
    // never writes.
    outputState() { return resultApi; },
    outputTo(resultStream, partitionPattern) {
      stringArgument(resultStream, "outputTo(resultStream): resultStream");
      if (partitionPattern !== undefined) stringArgument(partitionPattern, "outputTo(resultStream, pattern): pattern");
      return resultApi;
    },
  };

  const partitionedApi = { when: defineHandlers };

  const sourceApi = {
    when: defineHandlers,
    outputState() { return resultApi; },
    foreachStream() {
      if (selector.kind === "streams") fail("foreachStream() needs fromAll() or fromCategory(...): KurrentDB does not support it on fromStream/fromStreams");
      partitioning = "stream";
      return partitionedApi;
    },
    partitionBy(fn) {
      if (typeof fn !== "function") fail("partitionBy(...) takes a function of the event that returns the partition key");
      partitioning = "function";
      partitionFn = fn;
      return partitionedApi;
    },
  };

  function stringList(args, what) {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : Array.from(args);
    for (const s of list) if (typeof s !== "string") fail(`${what} takes stream ids (strings)`);
    return list;
  }

  global.fromAll = () => select("all", [], null);
  global.fromStream = (id) => select("streams", stringList([id], "fromStream(...)"), null);
  global.fromStreams = function () { return select("streams", stringList(arguments, "fromStreams(...)"), null); };
  global.fromCategory = (name) => {
    if (typeof name !== "string") fail("fromCategory(...) takes a category name, such as fromCategory('account')");
    return select("category", [], name);
  };

  global.options = (object) => {
    if (object === null || typeof object !== "object") fail("options(...) takes an object");
    for (const key of Object.keys(object)) {
      const name = key.toLowerCase();
      const type = OPTION_TYPES[name];
      if (type === undefined) {
        warnings.push(`options: unknown option '${key}' is ignored`);
        continue;
      }
      if (typeof object[key] !== type) fail(`options: '${key}' must be a ${type}`);
      options[name] = object[key];
      if (name === "bistate") biState = object[key];
    }
  };

  function show(value) {
    if (typeof value === "string") return value;
    try {
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    } catch (_) {
      return String(value);
    }
  }

  global.log = function () {
    host.log(Array.from(arguments, show).join(" "));
  };

  global.emit = (streamId, eventType, body, metadata) => {
    host.emit(JSON.stringify({ kind: "emit", streamId, eventType, body, metadata }));
  };

  global.linkTo = (streamId, event, metadata) => {
    const target = event && typeof event === "object" ? `${event.sequenceNumber}@${event.streamId}` : String(event);
    const eventId = event && typeof event === "object" ? event.eventId : undefined;
    host.emit(JSON.stringify({ kind: "linkTo", streamId, target, eventId, metadata }));
  };

  // upcast(eventType, schemaVersion, fn): events of that type and schema
  // version go through fn before partitionBy and the handlers see them. fn
  // gets the event and returns the upcast event (or changes it in place and
  // returns nothing); the result's schemaVersion becomes schemaVersion + 1
  // unless fn set another one, and upcasters chain (v1 -> v2 -> v3).
  global.upcast = (eventType, schemaVersion, fn) => {
    if (typeof eventType !== "string") fail("upcast(eventType, schemaVersion, fn): eventType must be a string");
    if (!Number.isInteger(schemaVersion)) fail("upcast(eventType, schemaVersion, fn): schemaVersion must be an integer");
    if (typeof fn !== "function") fail("upcast(eventType, schemaVersion, fn): fn must be a function");
    if (!upcasters.has(eventType)) upcasters.set(eventType, new Map());
    upcasters.get(eventType).set(schemaVersion, fn);
  };

  // ---- what Rewind calls -------------------------------------------------

  function upcastEvent(event) {
    for (let step = 0; step < MAX_UPCASTS; step++) {
      const versions = upcasters.get(event.eventType);
      const fn = versions === undefined ? undefined : versions.get(event.schemaVersion);
      if (fn === undefined) return event;
      const from = event.schemaVersion;
      let result = fn(event);
      if (result === undefined) result = event;
      if (result === null || typeof result !== "object") fail(`the upcaster for ${event.eventType} v${from} returned ${show(result)} instead of an event`);
      // An upcaster that spreads the event ({...e}) copies its own fields;
      // give the copy back the getters (body, metadata, created).
      if (Object.getPrototypeOf(result) === Object.prototype) Object.setPrototypeOf(result, EVENT_PROTOTYPE);
      if (result.schemaVersion === from) result.schemaVersion = from + 1;
      event = result;
    }
    fail(`upcasting ${event.eventType} did not finish after ${MAX_UPCASTS} steps`);
  }

  function checkDefinition() {
    if (selector === null) fail("the projection never selects events: start with fromAll(), fromStream(id), fromStreams([ids]) or fromCategory(name)");
    if (handlers === null) fail("the projection never calls when({...}): there are no handlers to run");
    // KurrentDB refuses to start such a projection (its reader: "Both
    // AllEvents and specific event filters cannot be set").
    if (allEvents && handlers.size > 0) fail("when({...}) has $any after its event type handlers, which KurrentDB refuses ('Both AllEvents and specific event filters cannot be set'): use $any alone, or typed handlers alone (a $any listed before them never runs)");
    if (deletedHandler !== null && partitioning !== "stream") fail("$deleted needs foreachStream(): KurrentDB only sends stream deletions to per-stream partitions");
    if (deletedHandler !== null && biState) fail("$deleted cannot be used in a bi-state projection ($initShared or options({biState: true})), as in KurrentDB");
    if (options.reorderevents === true) {
      if (selector.kind !== "streams" || selector.streams.length < 2) fail("options: reorderEvents only works with fromStreams([...]) of two or more streams");
      if (options.processinglag !== undefined && options.processinglag < 50) fail("options: reorderEvents needs a processingLag of at least 50 (ms)");
    }
  }

  const orNull = (value) => (value === undefined ? null : value);
  const initialState = () => (initHandler === null ? {} : initHandler());
  const initialShared = () => (initSharedHandler === null ? {} : initSharedHandler());

  function streamPartition(streamId) {
    // KurrentDB puts a metastream's events ($$S) in the partition of S.
    return streamId.startsWith("$$") ? streamId.slice(2) : streamId;
  }

  function partitionKey(event) {
    if (partitioning === "stream") return streamPartition(event.streamId);
    const key = partitionFn(event);
    if (typeof key === "string") return key;
    return typeof key === "number" ? String(key) : null;
  }

  // The event as handlers see it, with its handler in `deliveredHandler`
  // (not a returned pair: this runs for every event); `undefined` when the
  // event does not reach the projection (KurrentDB filters events by type
  // before anything runs, partitionBy included). Upcasting comes first: it
  // may give the event a handled type.
  let deliveredHandler;
  function delivered(index, event) {
    let handler;
    if (index >= 0) {
      handler = handlerByIndex[index];
      if (upcastByIndex[index]) {
        const stored = event.eventType;
        event = upcastEvent(event);
        if (event.eventType !== stored) handler = handlers.get(event.eventType);
      }
    }
    deliveredHandler = handler;
    return handler === undefined && !allEvents ? undefined : event;
  }

  function stateOf(key) {
    return partitioning === "none" ? root : orNull(partitions.get(key));
  }

  function store(key, value) {
    if (partitioning === "none") root = orNull(value);
    else partitions.set(key, orNull(value));
  }

  // The event's typed handler, else `$any`; with neither (a when({...})
  // that names no event type), KurrentDB makes the event's body the state.
  function handle(value, event, handler) {
    const fn = handler !== undefined ? handler : anyHandler;
    if (fn === null) return biState ? [event.data, value[1]] : event.data;
    const next = fn(value, event);
    return next === undefined ? value : next;
  }

  const FILTERED = Symbol("filtered");

  function checkJson(key, value) {
    const type = typeof value;
    if (type === "function") throw new TypeError(`the state holds a function at key '${key}', which is not JSON`);
    if (type === "symbol") throw new TypeError(`the state holds a symbol at key '${key}', which is not JSON`);
    if (type === "bigint") throw new TypeError(`the state holds a BigInt at key '${key}', which is not JSON`);
    return value;
  }

  function stringify(value) {
    const text = JSON.stringify(value, checkJson);
    return text === undefined ? "null" : text;
  }

  function shape(value) {
    if (shaping.length === 0) return value;
    // Shaping works on a copy so that it cannot change the working state.
    value = JSON.parse(stringify(value));
    for (const step of shaping) {
      if (step.kind === "transform") {
        value = step.fn(value);
        if (value === undefined) value = null;
      } else if (!step.fn(value)) {
        return FILTERED;
      }
    }
    return value;
  }

  // What transformBy/filterBy see: KurrentDB hands them the handlers' state,
  // which in a bi-state projection is the pair.
  const shapeOf = (value) => shape(biState ? [value, shared] : value);
  const unfiltered = (value) => (value === FILTERED ? null : value);
  const rootCreated = () => root !== null || (biState && shared !== null);

  function partitionsObject(shaped) {
    const out = Object.create(null);
    for (const [key, value] of partitions) {
      const shown = shaped ? shapeOf(value) : value;
      if (shown !== FILTERED) defineOwn(out, key, shown);
    }
    return out;
  }

  // The state as Rewind shows it: an unpartitioned one as it is (null
  // until created), `{"state": s, "shared": x}` when bi-state, a partitioned
  // one as {"partitions": {...}}, with "shared" beside it when bi-state.
  function collect(shaped) {
    if (partitioning !== "none") {
      const out = { partitions: partitionsObject(shaped) };
      if (biState) out.shared = shared;
      return stringify(out);
    }
    if (!rootCreated()) return "null";
    if (shaped) return stringify(unfiltered(shapeOf(root)));
    return stringify(biState ? { state: root, shared } : root);
  }

  // valueAt is called with the same pointer after every event of a blame.
  let lastPointer = null;
  let lastTokens = [];

  function tokensOf(pointer) {
    if (pointer !== lastPointer) {
      lastPointer = pointer;
      lastTokens = pointer === "" ? [] : pointer.slice(1).split("/").map(t => t.replace(/~1/g, "/").replace(/~0/g, "~"));
    }
    return lastTokens.slice();
  }

  function badState(shape) {
    fail(`the state of this projection must look like ${shape}`);
  }

  return {
    definition() {
      checkDefinition();
      indexTypes = Array.from(new Set([...handlers.keys(), ...upcasters.keys()]));
      handlerByIndex = indexTypes.map((type) => handlers.get(type));
      upcastByIndex = indexTypes.map((type) => upcasters.has(type));
      return JSON.stringify({
        selector,
        partitioning,
        types: indexTypes,
        allEvents,
        deleted: deletedHandler !== null,
        biState: biState === true,
        includeLinks: options.$includelinks === true,
        shaped: shaping.length > 0,
        warnings,
      });
    },

    reset(json) {
      root = null;
      shared = null;
      partitions = new Map();
      if (json === undefined) return;
      const value = JSON.parse(json);
      const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
      if (partitioning === "none") {
        if (!biState) root = value;
        else if (value !== null) {
          if (!isObject) badState('{"state": ..., "shared": ...} (a bi-state projection)');
          root = orNull(value.state);
          shared = orNull(value.shared);
        }
        return;
      }
      const saved = isObject ? value.partitions : undefined;
      if (saved === null || typeof saved !== "object" || Array.isArray(saved)) {
        badState(biState ? '{"partitions": {"key": state, ...}, "shared": ...}' : '{"partitions": {"key": state, ...}}');
      }
      for (const key of Object.keys(saved)) partitions.set(key, saved[key]);
      if (biState) shared = orNull(value.shared);
    },

    // `index` is the event type's number in `types` (-1: a type without
    // handler or upcaster, sent when every event reaches the projection).
    apply(index, streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
      const event = delivered(index, makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion));
      if (event === undefined) return;
      const handler = deliveredHandler;
      const key = partitioning === "none" ? "" : partitionKey(event);
      if (key === null) return;
      event.partition = key;
      // A partition is created at the first event that reaches it, as in
      // KurrentDB: $init, then $created with that event, then its handler.
      let state = stateOf(key);
      const created = state === null;
      if (created) state = initialState();
      const value = biState ? [state, shared === null ? initialShared() : shared] : state;
      if (created) for (const fn of createdHandlers) fn(value, event);
      const next = handle(value, event, handler);
      if (!biState) {
        store(key, next);
        return;
      }
      if (!Array.isArray(next)) fail(`a bi-state handler must change [state, sharedState] or return a new pair; it returned ${show(next)}`);
      store(key, next[0]);
      shared = orNull(next[1]);
    },

    // A stream was deleted (foreachStream with $deleted): KurrentDB calls
    // $deleted(state, null, streamId, false) and keeps what it changed in
    // the state; its return value is not used.
    deleted(streamId) {
      let state = stateOf(streamId);
      if (state === null) state = initialState();
      deletedHandler(state, null, streamId, false);
      store(streamId, state);
    },

    partitionOf(index, streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
      const event = delivered(index, makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion));
      return event === undefined ? null : partitionKey(event);
    },

    rawState() { return collect(false); },
    shapedState() { return collect(true); },

    // The JSON text of the value at a JSON Pointer into the raw state, or
    // undefined when absent: blame asks after every event, and this avoids
    // serialising the whole state each time.
    valueAt(pointer) {
      const tokens = tokensOf(pointer);
      let node;
      if (partitioning === "none") {
        if (!rootCreated()) node = null;
        else node = biState ? { state: root, shared } : root;
      } else {
        if (tokens.length === 0) return collect(false);
        const head = tokens.shift();
        if (head === "shared" && biState) {
          node = shared;
        } else if (head !== "partitions") {
          return undefined;
        } else {
          if (tokens.length === 0) return stringify(partitionsObject(false));
          const key = tokens.shift();
          if (!partitions.has(key)) return undefined;
          node = partitions.get(key);
        }
      }
      for (const token of tokens) {
        if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
        node = node[token];
      }
      return node === undefined ? undefined : stringify(node);
    },
  };
});
