-- a reply may carry a file (a copy the host made of what the agent sent with send_file)
ALTER TABLE messages ADD COLUMN file_path VARCHAR(1000);
