"""The service functions of the connect feature, called by the CLI, the web pages and the API alike:
``library`` (research library), ``practices`` (curated practice records), ``peers`` (peer exchange),
``cities`` (city profiles, cities like mine) and ``declarations``."""
