package io.commbus.coordinator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the registry knows of a service: its name (unique), type, version, capabilities, how
 * many requests it takes at once, its current load, whether it is healthy, and free metadata.
 */
public final class ServiceDescriptor {

  private final String name;
  private final String serviceType;
  private final String version;
  private final List<String> capabilities;
  private final int maxConcurrent;
  private final int currentLoad;
  private final boolean healthy;
  private final Map<String, String> metadata;

  private ServiceDescriptor(String name, String serviceType, String version, List<String> capabilities,
                            int maxConcurrent, int currentLoad, boolean healthy, Map<String, String> metadata) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("a service needs a name");
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
    }
    this.name = name;
    this.serviceType = Objects.requireNonNull(serviceType, "serviceType");
    this.version = Objects.requireNonNull(version, "version");
    this.capabilities = List.copyOf(capabilities);
    this.maxConcurrent = maxConcurrent;
    this.currentLoad = currentLoad;
    this.healthy = healthy;
    this.metadata = Map.copyOf(metadata);
  }

  /** A healthy service of a type, version 1.0.0, 10 at once, no capabilities or metadata. */
  public static ServiceDescriptor of(String name, String serviceType) {
    return new ServiceDescriptor(name, serviceType, "1.0.0", List.of(), 10, 0, true, Map.of());
  }

  public ServiceDescriptor withVersion(String newVersion) {
    return new ServiceDescriptor(name, serviceType, newVersion, capabilities, maxConcurrent, currentLoad, healthy,
        metadata);
  }

  public ServiceDescriptor withCapabilities(List<String> newCapabilities) {
    return new ServiceDescriptor(name, serviceType, version, newCapabilities, maxConcurrent, currentLoad, healthy,
        metadata);
  }

  public ServiceDescriptor withMaxConcurrent(int newMaxConcurrent) {
    return new ServiceDescriptor(name, serviceType, version, capabilities, newMaxConcurrent, currentLoad, healthy,
        metadata);
  }

  public ServiceDescriptor withCurrentLoad(int newLoad) {
    return new ServiceDescriptor(name, serviceType, version, capabilities, maxConcurrent, newLoad, healthy, metadata);
  }

  public ServiceDescriptor withHealthy(boolean newHealthy) {
    return new ServiceDescriptor(name, serviceType, version, capabilities, maxConcurrent, currentLoad, newHealthy,
        metadata);
  }

  public ServiceDescriptor withMetadata(Map<String, String> newMetadata) {
    return new ServiceDescriptor(name, serviceType, version, capabilities, maxConcurrent, currentLoad, healthy,
        newMetadata);
  }

  public String name() {
    return name;
  }

  public String serviceType() {
    return serviceType;
  }

  public String version() {
    return version;
  }

  public List<String> capabilities() {
    return capabilities;
  }

  public int maxConcurrent() {
    return maxConcurrent;
  }

  public int currentLoad() {
    return currentLoad;
  }

  public boolean healthy() {
    return healthy;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  public JsonObject toJson() {
    JsonObject meta = new JsonObject();
    metadata.forEach(meta::put);
    return new JsonObject()
        .put("name", name)
        .put("serviceType", serviceType)
        .put("version", version)
        .put("capabilities", new JsonArray(capabilities))
        .put("maxConcurrent", maxConcurrent)
        .put("currentLoad", currentLoad)
        .put("healthy", healthy)
        .put("metadata", meta);
  }

  public static ServiceDescriptor fromJson(JsonObject json) {
    JsonObject meta = json.getJsonObject("metadata", new JsonObject());
    Map<String, String> metadata = new java.util.LinkedHashMap<>();
    meta.forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    List<String> capabilities = new java.util.ArrayList<>();
    json.getJsonArray("capabilities", new JsonArray()).forEach(c -> capabilities.add(String.valueOf(c)));
    return new ServiceDescriptor(json.getString("name"), json.getString("serviceType", ""),
        json.getString("version", "1.0.0"), capabilities, json.getInteger("maxConcurrent", 10),
        json.getInteger("currentLoad", 0), json.getBoolean("healthy", true), metadata);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ServiceDescriptor && toJson().equals(((ServiceDescriptor) other).toJson());
  }

  @Override
  public int hashCode() {
    return toJson().hashCode();
  }

  @Override
  public String toString() {
    return name + " (" + serviceType + " " + version + (healthy ? "" : ", unhealthy") + ")";
  }
}
