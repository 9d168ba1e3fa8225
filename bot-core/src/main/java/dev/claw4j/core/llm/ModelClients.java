package dev.claw4j.core.llm;

/** Builds the {@link ModelClient} for the configured provider. */
public final class ModelClients {

    private ModelClients() {}

    public static ModelClient create(ModelSettings settings) {
        return new LangChain4jModelClient(settings);
    }
}
