package io.commbus.node.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.commbus.adapter.postgres.PostgresJournalOptions;
import io.commbus.bus.CommBusOptions;
import io.commbus.bus.config.ConfigException;
import io.commbus.bus.config.ConfigSection;
import io.commbus.bus.journal.file.FileJournalOptions;
import io.commbus.cluster.ClusterSettings;
import io.commbus.coordinator.CoordinatorOptions;
import io.commbus.coordinator.DispatcherOptions;
import io.commbus.coordinator.RegistryOptions;
import io.commbus.process.PoolOptions;
import io.commbus.process.pipeline.PipelineSpec;
import io.commbus.process.pipeline.SessionOptions;
import io.commbus.process.ProcessOptions;
import io.commbus.process.PythonProcessConfig;
import io.commbus.process.client.ClientEndpointOptions;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads a node configuration from JSON or YAML (by the file's extension: {@code .yaml} and
 * {@code .yml} are YAML, anything else JSON) and checks every field. The first problem found
 * is a {@link ConfigException} naming the field. Relative paths in the file are taken from the
 * file's directory, so a configuration means the same whatever directory the node starts in.
 */
public final class ConfigReader {

  /** The file formats a configuration may be written in. */
  public enum Format { JSON, YAML }

  private static final Pattern MEMBER = Pattern.compile("[^\\s:]+(:\\d{1,5})?");

  private ConfigReader() {
  }

  /** Reads and checks {@code file}. Blocks on the file system: call it before an event loop needs the thread. */
  public static NodeConfig read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException("", "no such configuration file: " + file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read " + file + ": " + e.getMessage(), e);
    }
    Path absolute = file.toAbsolutePath();
    return parse(text, formatOf(file), absolute.getParent()).setSource(absolute);
  }

  /** The JSON or YAML object file {@code file} holds (a pipeline spec, say), read as a configuration is. */
  public static JsonObject document(Path file) {
    try {
      return tree(Files.readString(file, StandardCharsets.UTF_8), formatOf(file));
    } catch (NoSuchFileException e) {
      throw new ConfigException("", "no such file: " + file);
    } catch (IOException e) {
      throw new ConfigException("", "cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** YAML for {@code .yaml} and {@code .yml}, JSON otherwise. */
  public static Format formatOf(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") ? Format.YAML : Format.JSON;
  }

  /** Parses and checks a configuration; relative paths are resolved against {@code baseDirectory}. */
  public static NodeConfig parse(String text, Format format, Path baseDirectory) {
    return read(new ConfigSection("", tree(text, format), baseDirectory.toAbsolutePath()));
  }

  private static JsonObject tree(String text, Format format) {
    ObjectMapper mapper = format == Format.YAML ? new ObjectMapper(new YAMLFactory()) : new ObjectMapper();
    // A key written twice is almost always a mistake; the last one would win in silence.
    mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    Object root;
    try {
      root = text.isBlank() ? null : mapper.readValue(text, Object.class);
    } catch (JsonProcessingException e) {
      throw new ConfigException("", "not valid " + format + ": " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")"));
    }
    if (root == null) {
      return new JsonObject();
    }
    if (!(root instanceof Map)) {
      throw new ConfigException("", "the configuration must be an object of settings, not a "
          + (root instanceof List ? "list" : "single value"));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) root;
    return new JsonObject(map);
  }

  private static NodeConfig read(ConfigSection root) {
    NodeConfig config = new NodeConfig();
    admin(root.section(AdminOptions.SECTION), config);
    config.setJournal(journal(root.section("journal")));
    config.setBus(bus(root.section("bus")));
    coordinator(root.section("coordinator"), config);
    root.applyStrings("callbackHandlers", config::setCallbackHandlers);
    root.applyPaths("classPath", config::setClassPath);
    cluster(root.section("cluster"), config);
    root.applyDuration("shutdownTimeout", config::setShutdownTimeout);
    // Checked by the pools' own rule (its sockets must fit the platform's limit) and named at its own field.
    ProcessOptions runtime = new ProcessOptions();
    root.applyPath("runtimeDirectory", runtime::setRuntimeDirectory);
    Path runtimeDirectory = runtime.getRuntimeDirectory();
    Map<String, String> names = new HashMap<>();
    Map<String, String> types = new HashMap<>();
    for (ConfigSection section : root.sections("pools")) {
      PoolConfig pool = pool(section, runtimeDirectory);
      unique(section, "name", pool.getPool().getName(), names);
      unique(section, "type", pool.getPool().getType(), types);
      if (pool.isServeAsService() && !config.isCoordinatorEnabled()) {
        throw new ConfigException(section.field("serveAsService"),
            "a pool serves as a service through the coordinator, and coordinator.enabled is false");
      }
      Duration ttl = config.getCoordinator().getRegistry().getHeartbeatTtl();
      if (pool.isServeAsService() && pool.getHeartbeatInterval().compareTo(ttl) >= 0) {
        throw new ConfigException(section.field("heartbeatInterval"), "must be shorter than coordinator.heartbeatTtl ("
            + ttl.toMillis() + " ms), or the service turns unhealthy between heartbeats");
      }
      config.addPool(pool);
    }
    groups(root, config, names);
    config.setSessions(sessions(root, runtimeDirectory));
    config.setRedis(RedisBridgesConfig.read(root.section(RedisBridgesConfig.SECTION)));
    config.setClients(ClientConfig.read(root.section(ClientEndpointOptions.SECTION), runtimeDirectory));
    root.rejectUnknown();
    return config;
  }

  /** The consumer groups the node is a member of; a pool member must be one of the pools just read. */
  private static void groups(ConfigSection root, NodeConfig config, Map<String, String> poolNames) {
    Map<String, String> groupNames = new HashMap<>();
    for (ConfigSection section : root.sections("groups")) {
      GroupConfig group = GroupConfig.readFrom(section);
      unique(section, "name", group.getOptions().getName(), groupNames);
      if (group.getMemberKind() == GroupConfig.MemberKind.POOL && !poolNames.containsKey(group.getMember())) {
        throw new ConfigException(section.field("pool"), "no pool is named \"" + group.getMember() + "\"; the pools"
            + " are " + (poolNames.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(poolNames.keySet()))));
      }
      config.addGroup(group);
    }
  }

  private static void unique(ConfigSection section, String field, String value, Map<String, String> seen) {
    String earlier = seen.putIfAbsent(value, section.path());
    if (earlier != null) {
      throw new ConfigException(section.field(field), "\"" + value + "\" is already the " + field + " of " + earlier);
    }
  }

  private static void admin(ConfigSection admin, NodeConfig config) {
    config.getAdmin().readFrom(admin).checkWrittenHost();
    admin.rejectUnknown();
  }

  private static JournalConfig journal(ConfigSection section) {
    String type = section.string("type", "file");
    JournalConfig journal = new JournalConfig();
    switch (type) {
      case "file":
        journal.setFile(fileJournal(section));
        break;
      case "postgres":
        journal.setPostgres(postgresJournal(section));
        break;
      default:
        throw new ConfigException(section.field("type"), "must be \"file\" or \"postgres\", was \"" + type + "\"");
    }
    section.rejectUnknown();
    return journal;
  }

  private static FileJournalOptions fileJournal(ConfigSection section) {
    return new FileJournalOptions(section.resolve(JournalConfig.DEFAULT_DIRECTORY.toString())).readFrom(section);
  }

  private static PostgresJournalOptions postgresJournal(ConfigSection section) {
    return new PostgresJournalOptions().readFrom(section);
  }

  private static CommBusOptions bus(ConfigSection section) {
    CommBusOptions bus = new CommBusOptions().readFrom(section);
    section.rejectUnknown();
    return bus;
  }

  private static void coordinator(ConfigSection section, NodeConfig config) {
    config.setCoordinatorEnabled(section.bool("enabled", true));
    RegistryOptions registry = new RegistryOptions().readFrom(section);
    DispatcherOptions dispatcher = new DispatcherOptions().readFrom(section);
    config.setCoordinator(new CoordinatorOptions().setRegistry(registry).setDispatcher(dispatcher));
    section.rejectUnknown();
  }

  private static void cluster(ConfigSection section, NodeConfig config) {
    config.setClustered(section.bool("enabled", false));
    ClusterSettings cluster = new ClusterSettings();
    // The settings' setters state the bounds; a refusal comes back worded at its field.
    section.applyString("name", cluster::setClusterName);
    section.applyInt("port", cluster::setPort);
    section.applyString("host", cluster::setHost);
    section.applyString("publicHost", cluster::setPublicHost);
    section.applyInt("publicPort", cluster::setPublicPort);
    section.applyInt("eventBusPort", cluster::setEventBusPort);
    section.applyInt("eventBusPublicPort", cluster::setEventBusPublicPort);
    section.applyDuration("heartbeatInterval", cluster::setHeartbeatInterval);
    section.applyDuration("maxNoHeartbeat", cluster::setMaxNoHeartbeat);
    section.applyDuration("mergeFirstRunDelay", cluster::setMergeFirstRunDelay);
    section.applyDuration("mergeNextRunDelay", cluster::setMergeNextRunDelay);
    section.applyDuration("joinTimeout", cluster::setJoinTimeout);
    section.applyInt("minimumMembers", cluster::setMinimumMembers);
    String heartbeats = cluster.maxNoHeartbeatProblem();
    if (heartbeats != null) {
      throw new ConfigException(section.field("maxNoHeartbeat"), heartbeats);
    }
    if (cluster.getClusterName().isBlank()) {
      throw new ConfigException(section.field("name"), "must not be empty");
    }
    if (section.has("members")) {
      List<String> members = section.strings("members");
      if (members.isEmpty()) {
        throw new ConfigException(section.field("members"), "must list at least one member (host or host:port)");
      }
      for (int i = 0; i < members.size(); i++) {
        if (!MEMBER.matcher(members.get(i)).matches()) {
          throw new ConfigException(section.field("members") + "[" + i + "]", "must be host or host:port, was \""
              + members.get(i) + "\"");
        }
      }
      cluster.setMembers(members);
    }
    config.setCluster(cluster);
    section.rejectUnknown();
  }

  /** The {@code sessions} section and the {@code pipelines} sessions may be created of by name. */
  private static SessionOptions sessions(ConfigSection root, Path runtimeDirectory) {
    SessionOptions sessions = new SessionOptions();
    sessions.getPython().getProcess().setRuntimeDirectory(runtimeDirectory);
    ConfigSection section = root.section("sessions");
    sessions.readFrom(section);
    section.rejectUnknown();
    Map<String, String> names = new HashMap<>();
    for (ConfigSection pipeline : root.sections("pipelines")) {
      PipelineSpec spec = PipelineSpec.read(pipeline);
      unique(pipeline, "name", spec.name(), names);
      sessions.addPipeline(spec);
    }
    return sessions;
  }

  /** One pool: the options classes read their own settings; {@code runtimeDirectory} is the file's top-level one. */
  private static PoolConfig pool(ConfigSection section, Path runtimeDirectory) {
    PoolOptions pool = new PoolOptions().readFrom(section);
    PythonProcessConfig worker = new PythonProcessConfig();
    worker.getProcess().setRuntimeDirectory(runtimeDirectory);
    worker.readFrom(section);
    PoolConfig config = new PoolConfig().setPool(pool).setWorker(worker)
        .setServeAsService(section.bool("serveAsService", false))
        .setRequestType(section.string("requestType", null)).setReplyType(section.string("replyType", null));
    config.getService().readFrom(section);
    section.rejectUnknown();
    return config;
  }
}
